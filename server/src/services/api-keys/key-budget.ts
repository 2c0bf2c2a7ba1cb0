import { and, eq, gte, sql } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import { usageRecords } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import {
  estimateUsage,
  LimitsService,
  type BudgetReservation,
  type LimitsStore,
  type ModelPrice,
} from '../limits/index.js';
import type { LimitsLogger } from '../limits/failure-policy.js';
import { secondsUntil } from '../limits/budget-month.js';

/**
 * A key's own monthly spend cap: the plan budget's machinery (an atomic hold in Redis shared by
 * every instance, seeded from the usage ledger), counted per key instead of per user.
 */
export class KeyBudget {
  private readonly limits: LimitsService;

  constructor(db: Db, store: LimitsStore, logger: LimitsLogger) {
    this.limits = new LimitsService({
      store,
      logger,
      keyPrefix: 'limits:apikey:',
      // Budgets fail closed without their store (as the plan budget does).
      failurePolicy: { budget: 'closed' },
      spentThisMonth: async (keyId, monthStart) => {
        const rows = await db
          .select({
            tokens: sql<
              string | number | null
            >`sum(${usageRecords.promptTokens}::bigint + ${usageRecords.completionTokens})`,
            costUsd: sql<string | number | null>`sum(${usageRecords.costUsd})`,
          })
          .from(usageRecords)
          .where(and(eq(usageRecords.apiKeyId, keyId), gte(usageRecords.createdAt, monthStart)));
        return { tokens: Number(rows[0]?.tokens ?? 0), costUsd: Number(rows[0]?.costUsd ?? 0) };
      },
    });
  }

  /** Holds what the call may cost against the key's cap; throws 429 when the cap is reached. */
  async reserve(
    key: { id: string; monthlySpendCapUsd: number | null },
    call: { promptChars: number; maxTokens: number; price: ModelPrice | undefined },
  ): Promise<BudgetReservation> {
    if (key.monthlySpendCapUsd === null) return this.limits.untracked(key.id);
    const estimate = estimateUsage(call.promptChars, call.maxTokens, call.price);
    const result = await this.limits.reserve({
      userId: key.id,
      estimatedTokens: estimate.tokens,
      estimatedCostUsd: estimate.costUsd,
      spendBudgetUsd: key.monthlySpendCapUsd,
    });
    if (result.ok) return result.reservation;
    const resets = `${result.resetsAt.toISOString().slice(0, 10)} 00:00 UTC`;
    throw new AppError(
      'budget_exceeded',
      `This API key's monthly spend cap of $${key.monthlySpendCapUsd} is reached ($${result.used.toPrecision(2)} used or reserved; this request may cost up to $${result.needed.toPrecision(2)}). It resets on ${resets}.`,
      {
        retryAfterSeconds: secondsUntil(result.resetsAt, this.limits.now()),
        details: { limit: 'monthlySpendCapUsd', budget: result.budget, used: result.used },
      },
    );
  }
}
