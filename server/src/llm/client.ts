/**
 * The one seam between the product and every LLM. Provider-neutral: model ids are opaque aliases
 * (LiteLLM model_name values); no OpenAI JSON shape leaves `server/src/llm/`.
 */

import type { LlmError } from './llm-errors.js';

export type LlmRole = 'system' | 'user' | 'assistant' | 'tool';

export interface LlmMessage {
  role: LlmRole;
  content: string;
  /** An assistant turn that called functions (the chatbot API passes these through). */
  toolCalls?: LlmToolCall[];
  /** A `tool` message: the call it answers. */
  toolCallId?: string;
}

/** A function call the model made; `arguments` is the JSON text the model wrote. */
export interface LlmToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** A function the model may call (OpenAI's `tools[].function`; only the chatbot API sets these). */
export interface LlmTool {
  name: string;
  description?: string;
  /** JSON Schema of the arguments, passed through as given. */
  parameters?: Record<string, unknown>;
  strict?: boolean;
}

export type LlmToolChoice = 'auto' | 'none' | 'required' | { name: string };

export interface LlmCallOptions {
  /** Opaque alias, passed through verbatim. Falls back to the client's default model. */
  model?: string;
  /** Omitted when the model does not honour it (services/model-call-shaping.ts decides). */
  temperature?: number;
  maxTokens?: number;
  /** OpenAI's `reasoning_effort` (LiteLLM maps it for other providers); sent only when set. */
  reasoningEffort?: 'low' | 'medium' | 'high';
  /** Aborts the upstream request at once (Stop / client gone). */
  signal?: AbortSignal;
  /** The end user, sent as OpenAI's `user` field (LiteLLM tracks spend per end user). */
  endUserId?: string;
  /** Request metadata for tracing (sent as LiteLLM `metadata`; never secrets). */
  metadata?: Record<string, string>;
  /** Functions the model may call; sent only when set (models with function calling). */
  tools?: LlmTool[];
  toolChoice?: LlmToolChoice;
}

export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
}

/** What the upstream said about the call, as far as it said it. */
export interface LlmResponseInfo {
  /**
   * The `model` field of the response. LiteLLM: the requested alias, except on a whole (non-streamed)
   * answer after a fallback, where it is the provider's model name (`gpt-4.1-mini`); on a stream always
   * the requested alias. OpenAI: its dated model name. Never a sign of a fallback by itself.
   */
  model: string | null;
  /**
   * The alias (model group) that served the answer: LiteLLM's `x-litellm-model-group` (whole answers
   * always; streams only on LiteLLM versions that send it). Filled in from the deployment id by the
   * chat services when the header is missing (services/chat/answer-attribution.ts).
   */
  modelGroup: string | null;
  /** LiteLLM's `x-litellm-attempted-fallbacks` (number of fallbacks tried), when present. */
  attemptedFallbacks: number | null;
  /** Upstream request id (`x-request-id` / `x-litellm-call-id` / response `id`). */
  requestId: string | null;
  /**
   * The deployment that served the answer (LiteLLM's `x-litellm-model-id`, which `/model/info` maps
   * to its alias): on streams the only sign of which alias answered in LiteLLM 1.81. Absent when the
   * upstream does not say.
   */
  deploymentId?: string | null;
  /**
   * A stream only: after the answer had begun, its chunks switched to another completion `id`, i.e. a
   * second completion continued the text (LiteLLM's mid-stream fallback: the headers still name the
   * first deployment). The text before and after the switch come from different models.
   */
  completionSwitched?: boolean;
}

export interface GenerateResult extends LlmResponseInfo {
  text: string;
  finishReason: string | null;
  usage: LlmUsage | null;
  /** From `x-litellm-response-cost` or `usage.cost`, when reported. */
  costUsd: number | null;
  /** Milliseconds from the call to the response (first byte). */
  timeToFirstTokenMs: number;
  /** The functions the model called (only when tools were offered). */
  toolCalls?: LlmToolCall[];
}

/**
 * A closed union. Every stream yields `start` once response headers arrived, then `delta`s,
 * then exactly one terminal event: `done` or `error`. It never throws for upstream failures.
 */
export type ChatStreamEvent =
  | ({ type: 'start' } & LlmResponseInfo)
  | { type: 'delta'; text: string }
  /** A piece of a function call (only when tools were offered): `index` says which call it extends. */
  | { type: 'tool_call'; index: number; id?: string; name?: string; arguments: string }
  | {
      type: 'done';
      finishReason: string | null;
      usage: LlmUsage | null;
      costUsd: number | null;
      timeToFirstTokenMs: number | null;
      info: LlmResponseInfo;
    }
  | { type: 'error'; error: LlmError };

export interface LlmClient {
  generate(messages: LlmMessage[], options?: LlmCallOptions): Promise<GenerateResult>;
  chatStream(messages: LlmMessage[], options?: LlmCallOptions): AsyncIterable<ChatStreamEvent>;
}
