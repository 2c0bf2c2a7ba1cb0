import { and, eq, gte, lt, sql } from 'drizzle-orm';
import type { Db } from '../database.js';
import { chatbots, usageRecords } from '../schema.js';

export type UsageRecordInsert = Omit<typeof usageRecords.$inferInsert, 'createdAt'>;

export interface UsageSums {
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  messages: number;
}

export interface UsageRow extends UsageSums {
  key: string | null;
  name: string | null;
}

// pg returns sum()/count() as strings (bigint/numeric), PGlite as numbers: normalise here, once.
const sums = {
  promptTokens: sql<string | number>`coalesce(sum(${usageRecords.promptTokens}), 0)`,
  completionTokens: sql<string | number>`coalesce(sum(${usageRecords.completionTokens}), 0)`,
  costUsd: sql<string | number>`coalesce(sum(${usageRecords.costUsd}), 0)`,
  messages: sql<string | number>`count(*)`,
};

function toSums(row: {
  promptTokens: string | number;
  completionTokens: string | number;
  costUsd: string | number;
  messages: string | number;
}): UsageSums {
  return {
    promptTokens: Number(row.promptTokens),
    completionTokens: Number(row.completionTokens),
    costUsd: Number(row.costUsd),
    messages: Number(row.messages),
  };
}

/** The usage ledger: one row per finished LLM call, never deleted with conversations. */
export class UsageRepository {
  constructor(private readonly db: Db) {}

  async insert(record: UsageRecordInsert): Promise<void> {
    await this.db.insert(usageRecords).values(record);
  }

  async totals(userId: string, from: Date, to: Date): Promise<UsageSums> {
    const rows = await this.db
      .select(sums)
      .from(usageRecords)
      .where(this.window(userId, from, to));
    return toSums(rows[0] ?? { promptTokens: 0, completionTokens: 0, costUsd: 0, messages: 0 });
  }

  async byModel(userId: string, from: Date, to: Date): Promise<UsageRow[]> {
    const rows = await this.db
      .select({ key: usageRecords.model, ...sums })
      .from(usageRecords)
      .where(this.window(userId, from, to))
      .groupBy(usageRecords.model)
      .orderBy(usageRecords.model);
    return rows.map((row) => ({ key: row.key, name: null, ...toSums(row) }));
  }

  /** Chat usage per chatbot; a deleted chatbot keeps its usage under its old id with no name. */
  async byChatbot(userId: string, from: Date, to: Date): Promise<UsageRow[]> {
    const rows = await this.db
      .select({ key: usageRecords.chatbotId, name: chatbots.name, ...sums })
      .from(usageRecords)
      .leftJoin(chatbots, eq(chatbots.id, usageRecords.chatbotId))
      .where(and(this.window(userId, from, to), eq(usageRecords.kind, 'chat')))
      .groupBy(usageRecords.chatbotId, chatbots.name)
      .orderBy(usageRecords.chatbotId);
    return rows.map((row) => ({ key: row.key, name: row.name, ...toSums(row) }));
  }

  /** Per UTC day (`2026-11-05`), days without usage left out. */
  async byDay(userId: string, from: Date, to: Date): Promise<UsageRow[]> {
    const day = sql<string>`to_char(${usageRecords.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;
    const rows = await this.db
      .select({ key: day, ...sums })
      .from(usageRecords)
      .where(this.window(userId, from, to))
      .groupBy(day)
      .orderBy(day);
    return rows.map((row) => ({ key: row.key, name: null, ...toSums(row) }));
  }

  /** Every user's usage together, deleted accounts' anonymised rows included: the operator's totals. */
  async totalsAll(from: Date, to: Date): Promise<UsageSums> {
    const rows = await this.db
      .select(sums)
      .from(usageRecords)
      .where(this.window(null, from, to));
    return toSums(rows[0] ?? { promptTokens: 0, completionTokens: 0, costUsd: 0, messages: 0 });
  }

  /** Per user id (null: deleted accounts). */
  async byUser(from: Date, to: Date): Promise<UsageRow[]> {
    const rows = await this.db
      .select({ key: usageRecords.userId, ...sums })
      .from(usageRecords)
      .where(this.window(null, from, to))
      .groupBy(usageRecords.userId);
    return rows.map((row) => ({ key: row.key, name: null, ...toSums(row) }));
  }

  /** Per model across every user. */
  async byModelAll(from: Date, to: Date): Promise<UsageRow[]> {
    const rows = await this.db
      .select({ key: usageRecords.model, ...sums })
      .from(usageRecords)
      .where(this.window(null, from, to))
      .groupBy(usageRecords.model)
      .orderBy(usageRecords.model);
    return rows.map((row) => ({ key: row.key, name: null, ...toSums(row) }));
  }

  private window(userId: string | null, from: Date, to: Date) {
    return and(
      userId === null ? undefined : eq(usageRecords.userId, userId),
      gte(usageRecords.createdAt, from),
      lt(usageRecords.createdAt, to),
    );
  }
}
