import { and, eq, gte, sql } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import { usageRecords } from '../../db/schema.js';
import type { SpentThisMonth } from './limits-service.js';

/**
 * The month's spend from the usage_records ledger (the source of truth): what seeds the budget
 * counters the first time a user is seen in a month, so a restart or a fresh Redis forgets nothing.
 * Each row holds the cost the budget settled with (the upstream's, or catalog price × tokens when
 * it reported none: `cost_estimated`), so the re-read month is what the counters held.
 */
export function ledgerSpentThisMonth(db: Db): SpentThisMonth {
  return async (userId, monthStart) => {
    const rows = await db
      .select({
        // sum() is bigint/numeric: a string from node-postgres, normalised here.
        // bigint before adding: two int4 counts near their bound must not overflow the row's sum.
        tokens: sql<
          string | number | null
        >`sum(${usageRecords.promptTokens}::bigint + ${usageRecords.completionTokens})`,
        costUsd: sql<string | number | null>`sum(${usageRecords.costUsd})`,
      })
      .from(usageRecords)
      .where(and(eq(usageRecords.userId, userId), gte(usageRecords.createdAt, monthStart)));
    const row = rows[0];
    return { tokens: Number(row?.tokens ?? 0), costUsd: Number(row?.costUsd ?? 0) };
  };
}
