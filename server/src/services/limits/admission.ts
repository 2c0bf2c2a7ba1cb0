import type { PlanLimits } from '../../config/plans.js';
import { AppError } from '../../errors.js';
import { secondsUntil } from './budget-month.js';
import type { LimitsService, BudgetReservation, StreamLease } from './limits-service.js';
import {
  chargeCall,
  priceUsage,
  type CallCharge,
  type CallPricing,
  type FinishedCall,
} from './call-charge.js';
import { estimateUsage, isFreeModel } from './usage-estimate.js';

export interface AdmitRequest {
  userId: string;
  /** The caller's plan (null: none, baseline limits); only used to name it in messages. */
  plan: string | null;
  /** The caller's plan limits (PlanTable.limitsFor(plan)). */
  limits: PlanLimits;
  /** Characters of the user's own input (the new message or description), checked against maxInputChars. */
  inputChars: number;
  /** Characters of everything sent upstream (system prompt, history, input), for the estimate; default inputChars. */
  promptChars?: number;
  /** The max tokens the request would ask for (the chatbot's setting). */
  maxTokens: number;
  /** The model's per-token prices (and reasoning flag) from the catalog (a CatalogModel fits); undefined when unknown. */
  price?: CallPricing | undefined;
}

export interface UsageReport {
  promptTokens: number;
  completionTokens: number;
  /** The cost the upstream reported (LiteLLM's x-litellm-response-cost); else computed from the price. */
  costUsd?: number | null | undefined;
}

export interface Admission {
  /** The max tokens to send upstream: the request's, clamped to the plan's maxTokens. */
  readonly maxTokens: number;
  /** Set when maxTokens was lowered to the plan's maximum (worth a log line, not an error). */
  readonly clampedFrom: number | null;
  /**
   * What the finished call is charged (null: it never reached the upstream), decided once by
   * `chargeCall` with this call's model price and max tokens. The caller writes this same charge to
   * the ledger and passes it to `settle`, so the ledger and the budget cannot disagree.
   */
  charge(call: FinishedCall): CallCharge | null;
  /**
   * Counts the real usage (partial answers included) and frees the stream. Idempotent. A `charge()`
   * result is counted as it is; a bare usage report is priced like `charge` would (reported cost,
   * else the catalog price).
   */
  settle(usage: CallCharge | UsageReport): Promise<void>;
  /** Frees the stream; drops the budget hold if settle() was not called (no usage). Idempotent. */
  release(): Promise<void>;
}

/**
 * The gate in front of every LLM call, in order: input size (413), max tokens (clamped to the plan),
 * concurrent streams (429), monthly budget (429). A refusal throws before anything is held, so the
 * upstream is never called for it.
 */
export async function admit(service: LimitsService, request: AdmitRequest): Promise<Admission> {
  const { limits } = request;
  const planName = describePlan(request.plan);
  if (limits.maxInputChars !== undefined && request.inputChars > limits.maxInputChars) {
    throw new AppError(
      'payload_too_large',
      `The input is ${formatCount(request.inputChars)} characters; ${planName} allows at most ${formatCount(limits.maxInputChars)} (maxInputChars). Shorten it and try again.`,
      { details: { limit: 'maxInputChars', max: limits.maxInputChars, actual: request.inputChars } },
    );
  }
  // Clamped rather than refused: a plan downgrade must not break every chatbot set up with a larger value.
  const maxTokens = Math.max(1, Math.min(request.maxTokens, limits.maxTokens ?? request.maxTokens));
  const clampedFrom = maxTokens < request.maxTokens ? request.maxTokens : null;

  let lease: StreamLease | null = null;
  if (limits.concurrentStreams !== undefined) {
    lease = await service.acquireStream(request.userId, limits.concurrentStreams);
    if (!lease) {
      throw new AppError(
        'concurrency_limited',
        `Too many answers in progress: ${planName} allows ${limits.concurrentStreams} at a time (concurrentStreams). Wait for one to finish or stop it, then try again.`,
        { retryAfterSeconds: 2, details: { limit: 'concurrentStreams', max: limits.concurrentStreams } },
      );
    }
  }

  let reservation: BudgetReservation;
  try {
    reservation = await reserveBudget(service, request, maxTokens, planName);
  } catch (error) {
    await lease?.release();
    throw error;
  }

  let settled = false;
  return {
    maxTokens,
    clampedFrom,
    charge: (call) => chargeCall(call, request.price, maxTokens),
    async settle(usage) {
      if (!settled) {
        settled = true;
        const { costUsd } =
          'costEstimated' in usage
            ? usage
            : priceUsage(usage.promptTokens, usage.completionTokens, usage.costUsd, request.price);
        await reservation.settle({ tokens: usage.promptTokens + usage.completionTokens, costUsd });
      }
      await lease?.release();
    },
    async release() {
      if (!settled) {
        settled = true;
        await reservation.cancel();
      }
      await lease?.release();
    },
  };
}

async function reserveBudget(
  service: LimitsService,
  request: AdmitRequest,
  maxTokens: number,
  planName: string,
): Promise<BudgetReservation> {
  const { limits } = request;
  const hasBudget = limits.monthlyTokenBudget !== undefined || limits.monthlySpendBudgetUsd !== undefined;
  // A model known to cost nothing is never refused by a budget (its tokens are still counted).
  if (!hasBudget || isFreeModel(request.price)) return service.untracked(request.userId);
  const estimate = estimateUsage(request.promptChars ?? request.inputChars, maxTokens, request.price);
  const result = await service.reserve({
    userId: request.userId,
    estimatedTokens: estimate.tokens,
    estimatedCostUsd: estimate.costUsd,
    tokenBudget: limits.monthlyTokenBudget,
    spendBudgetUsd: limits.monthlySpendBudgetUsd,
  });
  if (result.ok) return result.reservation;
  const resets = `${result.resetsAt.toISOString().slice(0, 10)} 00:00 UTC`;
  const retryAfterSeconds = secondsUntil(result.resetsAt, service.now());
  const message =
    result.reason === 'tokens'
      ? `Monthly token budget reached: ${planName} allows ${formatCount(result.budget)} tokens a month (monthlyTokenBudget); ${formatCount(result.used)} are used or reserved and this request may need up to ${formatCount(result.needed)}. The budget resets on ${resets}.`
      : `Monthly spend budget reached: ${planName} allows $${formatUsd(result.budget)} a month (monthlySpendBudgetUsd); $${formatUsd(result.used)} is used or reserved and this request may cost up to $${formatUsd(result.needed)}. The budget resets on ${resets}.`;
  throw new AppError('budget_exceeded', message, {
    retryAfterSeconds,
    details: {
      limit: result.reason === 'tokens' ? 'monthlyTokenBudget' : 'monthlySpendBudgetUsd',
      budget: result.budget,
      used: result.used,
      needed: result.needed,
      resetsAt: result.resetsAt.toISOString(),
    },
  });
}

function describePlan(plan: string | null): string {
  return plan ? `the "${plan}" plan` : 'an account without a plan';
}

const formatCount = (value: number) => Math.round(value).toLocaleString('en-US');
const formatUsd = (value: number) => (value >= 1 ? value.toFixed(2) : value.toPrecision(2));
