import type { LlmUsage } from './client.js';

/**
 * Where a model's answer text and its usage numbers enter the product: both are stored (messages,
 * usage_records) and counted (budgets), so what the database or a counter cannot hold is dealt with
 * here, once, before anyone sees it. The client is sent exactly what is stored.
 */

/**
 * The largest token count believed from an upstream, per field. No context window is near it, the
 * columns are int4 (2^31 − 1) and a row's prompt + completion stays inside int4 too.
 */
export const MAX_REPORTED_TOKENS = 1_000_000_000;

const NUL = '\u0000';

/**
 * Answer text without NUL characters: PostgreSQL's `text` cannot hold U+0000 (the final write would
 * fail), and a NUL means nothing to a reader. A scan of the piece, no copy, when there is none.
 */
export function modelText(text: string): string {
  return text.includes(NUL) ? text.replaceAll(NUL, '') : text;
}

/**
 * The upstream's token counts, or null when they are not believable: each must be a finite number
 * from 0 to MAX_REPORTED_TOKENS (fractions are rounded). A negative, NaN, string or 1e300 count is
 * not clamped into a made-up figure: the report is dropped, and the caller counts the tokens itself
 * as for an answer that reported nothing.
 */
export function reportedUsage(usage: unknown): LlmUsage | null {
  if (typeof usage !== 'object' || usage === null) return null;
  const { prompt_tokens: prompt, completion_tokens: completion } = usage as Record<string, unknown>;
  const promptTokens = tokenCount(prompt);
  const completionTokens = tokenCount(completion);
  if (promptTokens === null || completionTokens === null) return null;
  return { promptTokens, completionTokens };
}

function tokenCount(value: unknown): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  if (value < 0 || value > MAX_REPORTED_TOKENS) return null;
  return Math.round(value);
}
