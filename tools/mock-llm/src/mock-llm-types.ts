/** Public shapes of the mock upstream. Plain data, so tests and the CLI can build them by hand. */
import type { LitellmTransport, MockFlavor } from './flavor.js';

/**
 * One model as the mock advertises it (`/v1/models`, LiteLLM's `/model/info` and `/model_group/info`):
 * in the `litellm` flavour one alias of `model_list` with its one deployment.
 */
export interface MockModel {
  /** The alias clients send as `model` (LiteLLM's `model_name`). */
  id: string;
  /** LiteLLM's provider (`litellm_provider`, `providers`): `openai`, `anthropic`, `gemini`, `mistral`, … */
  provider?: string;
  maxInputTokens?: number;
  maxOutputTokens?: number;
  inputCostPerToken?: number;
  outputCostPerToken?: number;
  /** The provider's model name (`litellm_params.model` without the provider prefix). Default: `id`. */
  providerModel?: string;
  /** LiteLLM's deployment id (`x-litellm-model-id`, `/model/info` `model_info.id`). Default: from `id`. */
  deploymentId?: string;
  /** The deployment's `api_base` (`x-litellm-model-api-base`). Default: the provider's public endpoint. */
  apiBase?: string;
  /** `router_settings.fallbacks` for this alias: the aliases LiteLLM tries, in order, when it fails. */
  fallbacks?: string[];
  /** `litellm_params.timeout` in seconds (`x-litellm-timeout` on errors). Default 120 (`request_timeout`). */
  timeoutSeconds?: number;
  /** `litellm_params.rpm` / `tpm`: LiteLLM's `x-ratelimit-*` headers on whole answers. */
  rpm?: number;
  tpm?: number;
  supportsReasoning?: boolean;
  supportsVision?: boolean;
  supportsFunctionCalling?: boolean;
  /** Default: LiteLLM's list for the provider (and for OpenAI reasoning models). */
  supportedOpenAiParams?: string[];
  /** The config's own `model_info` keys (`label`, `provider`, `hidden`), shown only by `/model/info`. */
  modelInfo?: Record<string, unknown>;
  /** This deployment thinks this many tokens before answering (o-series): reasoning deltas and usage. */
  reasoningTokens?: number;
  /** `system_fingerprint` of the provider's chunks. Default `fp_mock` for OpenAI, none for others. */
  systemFingerprint?: string | null;
  /**
   * What the provider behind this alias always does, like the recordings' stand-in knobs (e.g.
   * `{ status: 529 }` for an overloaded provider). Markers and queued faults override it key by key.
   */
  fault?: MockFault;
}

/**
 * A fault for one chat request. Flat on purpose: the same keys work programmatically (`enqueue`) and
 * as an in-message marker (`[[mock:status=429,retryAfter=1]]`). Counts are content deltas.
 */
export interface MockFault {
  /** Answer this HTTP status with an OpenAI-shaped error body, before any output. */
  status?: number;
  /**
   * Which realistic error body to send. Alone or with `status`: an immediate error (status defaults
   * from the kind). With `inbandErrorAfter`: the body of the in-band error.
   */
  error?: MockErrorKind;
  /** `Retry-After` header, seconds. */
  retryAfter?: number;
  /** `retry-after-ms` header, milliseconds. */
  retryAfterMs?: number;
  /** Never send a byte (no headers); the socket stays open until the client goes. */
  hang?: boolean;
  /** Delay before the first byte, overriding the server's `ttftMs`. */
  ttftMs?: number;
  /** Stop sending after this many deltas but keep the socket open. */
  stallAfter?: number;
  /** End the response cleanly after this many deltas: no finish chunk, no `[DONE]`. */
  cutAfter?: number;
  /** Destroy the socket after this many deltas (a broken chunked body). */
  resetAfter?: number;
  /** Send a chunk that is not valid JSON after this many deltas, then end. */
  malformedAfter?: number;
  /** Send LiteLLM's in-band `data: {"error":{...}}` after this many deltas, then end without `[DONE]`. */
  inbandErrorAfter?: number;
  /** Send one content delta of this many bytes (default 1 MiB). */
  oversized?: number;
  /** Stream deltas until the client goes away. */
  endless?: boolean;
  /** Inter-token delay in ms, overriding the server's `interTokenMs`. */
  slowMs?: number;
  /** Exact number of content deltas. */
  deltas?: number;
  /** Leave out the usage chunk even when the client asked for it. */
  noUsage?: boolean;
  /**
   * Answer as LiteLLM does after falling back to this model group. `litellm`: the requested deployment
   * fails (500) and this alias answers, as recorded. `openai`: ignored.
   */
  fallbackTo?: string;
  /** `litellm`: the requested deployment fails before the first token and its configured fallback answers. */
  fallback?: boolean;
  /** `litellm`: no fallback for this request (as the request body's `disable_fallbacks: true`). */
  noFallback?: boolean;
  /** `litellm`: LiteLLM's transport for this request (how a cut ends). Default: `litellm.transport`. */
  transport?: LitellmTransport;
  /** Reasoning deltas before the answer (`reasoning_content` in `litellm`; usage only in `openai`). */
  reasoning?: number;
}

export type MockErrorKind =
  | 'auth'
  | 'rate_limit'
  | 'server'
  | 'unavailable'
  | 'bad_request'
  | 'context_length'
  | 'content_filter'
  | 'model_not_found'
  | 'timeout';

/** LiteLLM-only settings (the `litellm` flavour). */
export interface MockLitellmOptions {
  /** How a cut provider stream reaches the client. Default `aiohttp` (LiteLLM's default transport). */
  transport?: LitellmTransport;
  /** `x-litellm-version`. Default `1.81.13`, the recorded version. */
  version?: string;
  /** `litellm_settings.num_retries`, quoted in error messages. Default 2. */
  numRetries?: number;
  /**
   * Close the provider stream when the client goes (LiteLLM after PR #30245). Default false: 1.81.13
   * keeps reading the provider to the end, so the whole answer is generated and billed.
   */
  closeUpstreamOnDisconnect?: boolean;
  /** A wrong key gets what the recorded proxy (no database) sent: 400 `no_db_connection`. Default: 401. */
  noDatabase?: boolean;
}

export interface MockLlmOptions {
  /** Which server to imitate. Default `defaultFlavor` (see flavor.ts). */
  flavor?: MockFlavor;
  /** Settings of the `litellm` flavour. */
  litellm?: MockLitellmOptions;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** When set, requests must carry `Authorization: Bearer <apiKey>` (401 otherwise). */
  apiKey?: string | null;
  /** Delay before the first byte of a chat answer. Default 0. */
  ttftMs?: number;
  /** Delay between content deltas. Default 0 (everything in one write). */
  interTokenMs?: number;
  /** Default number of deltas; by default the whole answer, one word per delta. */
  deltas?: number;
  /** A fixed answer instead of the demo answer. */
  answer?: string;
  /** Models served by the list endpoints. */
  models?: MockModel[];
  /** Answer an unknown `model` as the real server does (LiteLLM: 400 "Invalid model name"). Default false. */
  rejectUnknownModels?: boolean;
  /** `usage.cost` in the stream's usage chunk (LiteLLM's `include_cost_in_streaming_usage`). Default true. */
  streamUsageCost?: boolean;
  /** How many requests `requests` keeps (oldest dropped). Default 1000; 0 records nothing. */
  maxRecordedRequests?: number;
  /** Largest accepted request body. Default 1 MiB (413 beyond). */
  maxBodyBytes?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or null. */
  body: unknown;
  /** `performance.now()` when the request arrived. */
  at: number;
}

/** A client closed its connection before the mock finished answering. */
export interface ClientGoneEvent {
  path: string;
  /** Deltas already written when the client went. */
  deltasSent: number;
  /** `performance.now()` when the mock noticed (same clock as the test process when in-process). */
  at: number;
  /**
   * The answer goes on being generated (and billed) without a reader: LiteLLM 1.81.13 keeps reading the
   * provider after its client left. `generating` counts such answers until they end.
   */
  upstreamContinues: boolean;
}

export interface MockLlm {
  /** Base URL for an OpenAI client, e.g. `http://127.0.0.1:4010/v1`. */
  url: string;
  port: number;
  /** Requests received, oldest first (bounded). */
  readonly requests: readonly RecordedRequest[];
  /** Clients that went away mid-answer, oldest first (bounded). */
  readonly clientsGone: readonly ClientGoneEvent[];
  /** Number of chat requests currently open. */
  readonly activeRequests: number;
  /** Answers still being generated, including those whose client left (`upstreamContinues`). */
  readonly generating: number;
  readonly flavor: MockFlavor;
  /** The next chat request gets this fault (queued, first in first out). */
  enqueue(fault: MockFault): void;
  /** Called each time a client goes away mid-answer. Returns an unsubscribe function. */
  onClientGone(listener: (event: ClientGoneEvent) => void): () => void;
  /** Resolves with the next client-gone event; rejects after `timeoutMs` (default 5000). */
  waitForClientGone(timeoutMs?: number): Promise<ClientGoneEvent>;
  /** Forget recorded requests, client-gone events and queued faults. */
  reset(): void;
  close(): Promise<void>;
}
