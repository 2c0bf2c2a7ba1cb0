import type { LlmResponseInfo } from './client.js';
import type { HeaderReader } from './stream-transport.js';

function numberOrNull(value: string | null | undefined): number | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : null;
}

/** What LiteLLM (or any OpenAI-compatible server) says about the call in its response headers. */
export function readResponseInfo(headers: HeaderReader): LlmResponseInfo {
  return {
    model: null,
    modelGroup: headers.get('x-litellm-model-group'),
    attemptedFallbacks: numberOrNull(headers.get('x-litellm-attempted-fallbacks')),
    requestId: headers.get('x-request-id') ?? headers.get('x-litellm-call-id'),
  };
}

/** LiteLLM's `x-litellm-response-cost` in USD. Only meaningful once the whole answer is known. */
export function readHeaderCost(headers: HeaderReader): number | null {
  const cost = numberOrNull(headers.get('x-litellm-response-cost'));
  return cost !== null && cost >= 0 ? cost : null;
}

/** `usage.cost`, which recent LiteLLM puts on the final usage of a stream. */
export function usageCost(usage: unknown): number | null {
  const cost = (usage as { cost?: unknown } | null | undefined)?.cost;
  return typeof cost === 'number' && Number.isFinite(cost) && cost >= 0 ? cost : null;
}
