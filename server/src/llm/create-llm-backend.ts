import { randomBytes } from 'node:crypto';
import type { LlmClient } from './client.js';
import {
  OpenAICompatibleClient,
  openAiDefaultBaseUrl,
  type StreamUsagePolicy,
} from './openai-compatible-client.js';
import type { StreamTransport } from './stream-transport.js';
import { registerSecrets, splitUrlCredentials } from '../logging/redact.js';

export type LlmMode = 'proxy' | 'direct' | 'demo';

export interface LlmSettings {
  baseUrl: string | null;
  apiKey: string | null;
  modelChat: string;
  timeoutMs: number;
  /** How long an idle upstream connection is kept for the next call (below the upstream's own limit). */
  keepAliveMs: number;
  /** null → 1 in proxy mode (LiteLLM retries upstream calls itself), 2 otherwise. */
  maxRetries: number | null;
  /**
   * Must a stream end with its usage chunk (LLM_STREAM_USAGE)? `auto` (the default): in direct mode
   * yes (OpenAI sends it), behind a proxy when the response is LiteLLM's or OpenAI's.
   */
  streamUsage?: StreamUsagePolicy;
}

export interface LlmBackend {
  client: LlmClient;
  mode: LlmMode;
  /** Safe to show (logs, /readyz): the URL without credentials or query. */
  endpoint: string;
  close(): Promise<void>;
}

/** Knobs for tests and benchmarks; production passes none. */
export interface LlmBackendOverrides {
  /** Replaces the streaming transport (tests answer for an upstream that is not reachable). */
  transport?: StreamTransport;
  /** Demo upstream pacing (defaults: 250 ms to first token, 25 ms between tokens). */
  demoTtftMs?: number;
  demoInterTokenMs?: number;
}

/** Strips user info, query and fragment: what remains can be logged and shown. */
export function safeEndpoint(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * Picks the mode from the settings and builds the one client for it: a LiteLLM proxy (or any
 * OpenAI-compatible server) when a base URL is set, OpenAI directly when only a key is set, and
 * otherwise the built-in demo upstream started in-process on a loopback port, spoken to through
 * the very same client so the demo exercises the real wire.
 */
export async function createLlmBackend(
  settings: LlmSettings,
  overrides: LlmBackendOverrides = {},
): Promise<LlmBackend> {
  const common = {
    defaultModel: settings.modelChat,
    timeoutMs: settings.timeoutMs,
    keepAliveMs: settings.keepAliveMs,
    streamUsage: settings.streamUsage ?? 'auto',
    ...(overrides.transport ? { transport: overrides.transport } : {}),
  };
  if (settings.baseUrl) {
    // The config already took credentials out of LLM_BASE_URL; a URL given here directly is treated
    // the same: user info never goes on the wire in the URL (nor into an error's text), its password
    // is the key when none is given.
    const { url, password } = splitUrlCredentials(settings.baseUrl);
    registerSecrets([settings.apiKey, password]);
    const client = new OpenAICompatibleClient({
      ...common,
      baseURL: url,
      // A proxy without a master key accepts anything; the SDK insists on some key.
      apiKey: settings.apiKey ?? password ?? 'no-key',
      maxRetries: settings.maxRetries ?? 1,
    });
    return { client, mode: 'proxy', endpoint: safeEndpoint(url), close: async () => {} };
  }
  if (settings.apiKey) {
    registerSecrets([settings.apiKey]);
    const client = new OpenAICompatibleClient({
      ...common,
      apiKey: settings.apiKey,
      maxRetries: settings.maxRetries ?? 2,
      // OpenAI rejects `metadata` unless responses are stored; LiteLLM-only tracing data.
      sendMetadata: false,
      // OpenAI always sends the usage chunk it is asked for.
      streamUsage: settings.streamUsage === 'optional' ? 'optional' : 'required',
    });
    return { client, mode: 'direct', endpoint: openAiDefaultBaseUrl, close: async () => {} };
  }
  // Loaded only in demo mode: production with a real endpoint never touches the mock.
  const { startMockLlm } = await import('@app/mock-llm');
  const demoKey = `demo-${randomBytes(16).toString('hex')}`;
  const mock = await startMockLlm({
    apiKey: demoKey,
    ttftMs: overrides.demoTtftMs ?? 250,
    interTokenMs: overrides.demoInterTokenMs ?? 25,
    models: [{ id: settings.modelChat, provider: 'demo', inputCostPerToken: 0, outputCostPerToken: 0 }],
    maxRecordedRequests: 0,
  });
  const client = new OpenAICompatibleClient({
    ...common,
    baseURL: mock.url,
    apiKey: demoKey,
    maxRetries: settings.maxRetries ?? 2,
  });
  return { client, mode: 'demo', endpoint: mock.url, close: () => mock.close() };
}
