import { countPromptTokens, countTextTokens } from './token-count.js';
import { costOf, type ModelPrice } from './usage-estimate.js';

/**
 * What a finished LLM call is charged: ONE decision, used for the ledger row (usage_records) and for
 * the budget settlement alike, so a month re-read from the ledger after a restart, a Redis flush or
 * on another instance is exactly what the counters held.
 */

/** The catalog's view of a model that pricing needs (a CatalogModel fits). */
export interface CallPricing extends ModelPrice {
  /** LiteLLM `supports_reasoning`: the model may bill hidden reasoning tokens before any text. */
  supportsReasoning?: boolean | undefined;
}

/** A reported cost above this is not believed (a broken proxy, or 1e300): the catalog price is used. */
export const MAX_REPORTED_COST_USD = 1_000;

export interface FinishedCall {
  /**
   * The request reached the upstream: it was sent and the upstream did not refuse it with an error
   * status (see `reachedUpstream`). A call refused before sending, or answered 4xx/5xx, costs nothing.
   */
  reachedUpstream: boolean;
  /** Token counts the upstream reported (a complete answer), already checked at the LLM boundary. */
  reportedUsage: { promptTokens: number; completionTokens: number } | null;
  /** The cost the upstream reported (LiteLLM), when it did. */
  reportedCostUsd: number | null;
  /** What was sent upstream: counted when no usage was reported. */
  prompt: ReadonlyArray<{ content: string }>;
  /** The answer text received (partial when the call was cut). */
  completion: string;
}

export interface CallCharge {
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  /** The tokens were counted here (o200k_base tokenizer), not reported by the upstream. */
  tokensEstimated: boolean;
  /** The cost is catalog price × tokens, not the upstream's own figure. */
  costEstimated: boolean;
}

/**
 * The charge of a finished call, or null when it is free (it never reached the upstream).
 * - Tokens: the upstream's report when there is one; else the prompt and the text received, counted
 *   with the tokenizer — plus, for a reasoning model, the whole `maxTokens` as completion (its hidden
 *   reasoning is billed before any text and never seen; max tokens bounds it).
 * - Cost: the upstream's reported cost when believable, else the catalog price × the tokens.
 */
export function chargeCall(
  call: FinishedCall,
  pricing: CallPricing | undefined,
  maxTokens: number,
): CallCharge | null {
  if (!call.reachedUpstream) return null;
  let promptTokens: number;
  let completionTokens: number;
  const tokensEstimated = call.reportedUsage === null;
  if (call.reportedUsage) {
    ({ promptTokens, completionTokens } = call.reportedUsage);
  } else {
    promptTokens = countPromptTokens(call.prompt);
    completionTokens = countTextTokens(call.completion);
    if (pricing?.supportsReasoning === true) completionTokens = Math.max(completionTokens, maxTokens);
  }
  return {
    promptTokens,
    completionTokens,
    ...priceUsage(promptTokens, completionTokens, call.reportedCostUsd, pricing),
    tokensEstimated,
  };
}

/** The cost of a call's tokens: the upstream's figure when believable, else the catalog price. */
export function priceUsage(
  promptTokens: number,
  completionTokens: number,
  reportedCostUsd: number | null | undefined,
  pricing: ModelPrice | undefined,
): { costUsd: number; costEstimated: boolean } {
  if (
    typeof reportedCostUsd === 'number' &&
    Number.isFinite(reportedCostUsd) &&
    reportedCostUsd >= 0 &&
    reportedCostUsd <= MAX_REPORTED_COST_USD
  ) {
    return { costUsd: reportedCostUsd, costEstimated: false };
  }
  return { costUsd: costOf(promptTokens, completionTokens, pricing), costEstimated: true };
}

/**
 * Whether a call that failed before any output reached the upstream. Not reached: the upstream
 * answered with an HTTP error (it refused the request and bills nothing for it) or the connection
 * could not be made (`unavailable` without a status). Reached: everything else — the request was in
 * flight when it was stopped, timed out or cut, and the upstream may be billing its prompt.
 */
export function reachedUpstream(error: { code: string; status?: number | undefined }): boolean {
  if (error.status !== undefined) return false;
  return error.code !== 'unavailable';
}
