import { and, eq, gte, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import { conversations, messages } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import type { CallAdmission, CallRequest } from '../chat/chat-types.js';
import {
  estimateUsage,
  isFreeModel,
  type LimitsService,
  type ModelPrice,
  type SpentThisMonth,
} from '../limits/index.js';
import { secondsUntil } from '../limits/budget-month.js';

/**
 * What visitors of one chatbot spent in the month (its visitor conversations' answers): seeds the
 * bot's spend counter the first time an instance sees the bot in a month, so a restart or a fresh
 * Redis forgets nothing. `id` is the chatbot id (the bot's LimitsService counts per bot, not user).
 * An answer keeps the upstream's cost when it reported one; otherwise its tokens (as charged) are
 * priced from the catalog, as the charge was (limits/call-charge.ts).
 */
export function visitorSpentThisMonth(
  db: Db,
  priceOf: (model: string) => ModelPrice | undefined,
): SpentThisMonth {
  return async (chatbotId, monthStart) => {
    const rows = await db
      .select({
        model: messages.model,
        reported: sql<string | number | null>`sum(${messages.costUsd})`,
        promptTokens: sql<
          string | number | null
        >`sum(${messages.promptTokens}) filter (where ${messages.costUsd} is null)`,
        completionTokens: sql<
          string | number | null
        >`sum(${messages.completionTokens}) filter (where ${messages.costUsd} is null)`,
        tokens: sql<
          string | number | null
        >`sum(coalesce(${messages.promptTokens}, 0)::bigint + coalesce(${messages.completionTokens}, 0))`,
      })
      .from(messages)
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      .where(
        and(
          eq(conversations.chatbotId, chatbotId),
          isNotNull(conversations.visitorId),
          gte(messages.createdAt, monthStart),
        ),
      )
      .groupBy(messages.model);
    return rows.reduce(
      (total, row) => ({
        tokens: total.tokens + Number(row.tokens ?? 0),
        costUsd: total.costUsd + pricedCost(row, row.model ? priceOf(row.model) : undefined),
      }),
      { tokens: 0, costUsd: 0 },
    );
  };
}

/** Reported cost plus the unreported answers' tokens at the catalog price. */
export function pricedCost(
  row: {
    reported: string | number | null;
    promptTokens: string | number | null;
    completionTokens: string | number | null;
  },
  price: ModelPrice | undefined,
): number {
  return (
    Number(row.reported ?? 0) +
    Number(row.promptTokens ?? 0) * (price?.inputCostPerToken ?? 0) +
    Number(row.completionTokens ?? 0) * (price?.outputCostPerToken ?? 0)
  );
}

/**
 * The admission of a visitor's turn: the owner's own (plan limits, budget, concurrency, charged to
 * the owner) plus a hold on the bot's monthly spend cap, both in one admission. Refused (429
 * `bot_spend_cap`) before anything is written or sent; settled with the same charge as the owner's.
 */
export async function admitWithBotCap(
  base: (call: CallRequest) => Promise<CallAdmission>,
  botSpend: LimitsService,
  call: CallRequest,
  bot: { chatbotId: string; capUsd: number; price: ModelPrice | undefined },
): Promise<CallAdmission> {
  const admission = await base(call);
  if (isFreeModel(bot.price)) return admission;
  const estimate = estimateUsage(call.promptChars, admission.maxTokens, bot.price);
  let result;
  try {
    result = await botSpend.reserve({
      userId: bot.chatbotId,
      estimatedTokens: estimate.tokens,
      estimatedCostUsd: estimate.costUsd,
      spendBudgetUsd: bot.capUsd,
    });
  } catch (error) {
    await admission.release();
    throw error;
  }
  if (!result.ok) {
    await admission.release();
    throw new AppError(
      'bot_spend_cap',
      'This chatbot has used its budget for the month. Please come back next month.',
      { retryAfterSeconds: secondsUntil(result.resetsAt, botSpend.now()) },
    );
  }
  const reservation = result.reservation;
  return {
    maxTokens: admission.maxTokens,
    charge: (finished) => admission.charge(finished),
    settle: async (charge) => {
      await Promise.all([
        admission.settle(charge),
        reservation.settle({
          tokens: charge.promptTokens + charge.completionTokens,
          costUsd: charge.costUsd,
        }),
      ]);
    },
    release: async () => {
      await Promise.all([admission.release(), reservation.cancel()]);
    },
  };
}
