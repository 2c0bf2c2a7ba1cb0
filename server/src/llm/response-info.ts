import type { LlmResponseInfo } from './client.js';
import type { HeaderReader } from './stream-transport.js';
import { containsSecret } from '../logging/redact.js';

/**
 * What the upstream says about a call is shown to users (`answeredBy`, `upstreamModel`), stored
 * (messages.answered_by, model_group, attempted_fallbacks, upstream_request_id) and logged, so it is
 * bounded here, where it enters: a name or id longer than 128 characters, with a character outside
 * a model name's or id's usual set, or holding one of our secrets (an upstream echoing our key) is
 * dropped; a fallback count is a small integer or nothing.
 */
const MAX_NAME_LENGTH = 128;
/** LiteLLM aliases and deployments: `gpt-4o-mini`, `anthropic/claude-3-5-sonnet`, `llama3:8b`, `gpt-4o@eu`. */
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$/;
/** `chatcmpl-…`, UUIDs, LiteLLM call ids. */
const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
/** `stop`, `length`, `tool_calls`, `content_filter`, provider ones such as `end_turn` or `STOP`. */
const FINISH_REASON = /^[A-Za-z][A-Za-z0-9_.-]{0,31}$/;
export const MAX_ATTEMPTED_FALLBACKS = 20;

function bounded(value: unknown, pattern: RegExp): string | null {
  if (typeof value !== 'string' || value.length > MAX_NAME_LENGTH || !pattern.test(value)) return null;
  return containsSecret(value) ? null : value;
}

/** A model name from a response (`model`, `x-litellm-model-group`), or null when it is not one. */
export function upstreamModelName(value: unknown): string | null {
  return bounded(value, MODEL_NAME);
}

/** An upstream request id (`x-request-id`, a completion's `id`), or null when it is not one. */
export function upstreamRequestId(value: unknown): string | null {
  return bounded(value, REQUEST_ID);
}

/** A choice's `finish_reason`, or null when it is not a plain word. */
export function upstreamFinishReason(value: unknown): string | null {
  if (typeof value !== 'string' || !FINISH_REASON.test(value)) return null;
  return containsSecret(value) ? null : value;
}

/** `x-litellm-attempted-fallbacks`: a non-negative integer, at most MAX_ATTEMPTED_FALLBACKS. */
function fallbackCount(value: string | null): number | null {
  if (value === null || !/^\s*\d+\s*$/.test(value)) return null;
  return Math.min(Number(value), MAX_ATTEMPTED_FALLBACKS);
}

function numberOrNull(value: string | null | undefined): number | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : null;
}

/** What LiteLLM (or any OpenAI-compatible server) says about the call in its response headers. */
export function readResponseInfo(headers: HeaderReader): LlmResponseInfo {
  return {
    model: null,
    modelGroup: upstreamModelName(headers.get('x-litellm-model-group')),
    attemptedFallbacks: fallbackCount(headers.get('x-litellm-attempted-fallbacks')),
    requestId:
      upstreamRequestId(headers.get('x-request-id')) ?? upstreamRequestId(headers.get('x-litellm-call-id')),
    // A sha256 of the deployment's params, or the operator's own `model_info.id`: a name-like id.
    deploymentId: upstreamModelName(headers.get('x-litellm-model-id')),
  };
}

/**
 * Which kind of server answered, from headers both always send: a LiteLLM proxy (`x-litellm-call-id`,
 * `x-litellm-version`, on streams too) or OpenAI itself (`openai-version`, `openai-processing-ms`).
 * Both send the usage chunk a client asks for with `stream_options.include_usage`; other
 * OpenAI-compatible servers may not.
 */
export function upstreamKind(headers: HeaderReader): 'litellm' | 'openai' | 'other' {
  if (headers.get('x-litellm-call-id') !== null || headers.get('x-litellm-version') !== null)
    return 'litellm';
  if (headers.get('openai-version') !== null || headers.get('openai-processing-ms') !== null) return 'openai';
  return 'other';
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
