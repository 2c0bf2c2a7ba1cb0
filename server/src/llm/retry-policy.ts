import type { LlmError } from './llm-errors.js';

export interface RetryPolicy {
  maxRetries: number;
  /** First backoff step; doubles per attempt. */
  baseDelayMs: number;
  /** Longest wait, computed or asked for by `Retry-After`; asking for more fails at once. */
  maxDelayMs: number;
}

/** Statuses worth another try; timeouts of our own are not (the caller already waited the limit). */
function isRetryable(error: LlmError): boolean {
  const { status } = error;
  if (status === 408 || status === 409 || status === 429) return true;
  if (status !== undefined) return status >= 500;
  // No status: a connection failure before any response.
  return error.code === 'unavailable';
}

/**
 * How long to wait before retry number `attempt + 1`, or null to give up. Honours the upstream's
 * `Retry-After` / `retry-after-ms`; otherwise exponential backoff with equal jitter, so many clients
 * failing together do not come back together.
 */
export function retryDelayMs(error: LlmError, attempt: number, policy: RetryPolicy): number | null {
  if (attempt >= policy.maxRetries || !isRetryable(error)) return null;
  if (error.retryAfterMs !== undefined) {
    return error.retryAfterMs <= policy.maxDelayMs ? error.retryAfterMs : null;
  }
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return step / 2 + Math.random() * (step / 2);
}

/**
 * The longest wait an upstream may ask for: what it says is relayed to our clients (`Retry-After`)
 * and read by the retry loop, so `Retry-After: 99999999999` must not become ours.
 */
export const MAX_RETRY_AFTER_MS = 3_600_000;

const DECIMAL = /^\s*\d+(\.\d+)?\s*$/;
/** RFC 9110 §5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms recipients must read. */
const HTTP_DATE =
  /^(?:[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT|[A-Z][a-z]{5,8}, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT|[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4})$/;

/**
 * Reads `retry-after-ms` (OpenAI) or `Retry-After` (seconds or an HTTP date), clamped to
 * 0 .. MAX_RETRY_AFTER_MS; anything else (negative, `1e9`, `12abc`, a malformed date) is ignored.
 */
export function retryAfterMsFrom(headers: Pick<Headers, 'get'> | undefined): number | undefined {
  if (!headers) return undefined;
  const milliseconds = headers.get('retry-after-ms');
  if (milliseconds !== null && DECIMAL.test(milliseconds)) return clamp(Number(milliseconds));
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (DECIMAL.test(value)) return clamp(Number(value) * 1000);
  if (!HTTP_DATE.test(value)) return undefined;
  const date = Date.parse(/GMT$/.test(value) ? value : `${value} GMT`);
  return Number.isNaN(date) ? undefined : clamp(date - Date.now());
}

function clamp(milliseconds: number): number {
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.round(milliseconds)));
}
