import type { UsageMonthReport, UsageTotals } from '@app/common';
import type { Db } from '../db/database.js';
import {
  UsageRepository,
  type UsageRecordInsert,
  type UsageSums,
} from '../db/repositories/usage-repository.js';

/** The usage ledger: recording finished calls and reporting a user's month. */
export class UsageService {
  private readonly usage: UsageRepository;

  constructor(
    db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.usage = new UsageRepository(db);
  }

  record(entry: Omit<UsageRecordInsert, 'id'>): Promise<void> {
    return this.usage.insert({ id: crypto.randomUUID(), ...entry });
  }

  /**
   * The caller's tokens and cost for one calendar month (UTC; default the current one), per day, per
   * model and per chatbot. `labelOf` names a model alias (the catalog's label).
   */
  async monthReport(
    userId: string,
    month?: string,
    labelOf: (model: string) => string = (model) => model,
  ): Promise<UsageMonthReport> {
    const { from, to } = monthWindow(month ?? this.now().toISOString().slice(0, 7));
    const [totals, days, byModel, byChatbot] = await Promise.all([
      this.usage.totals(userId, from, to),
      this.usage.byDay(userId, from, to),
      this.usage.byModel(userId, from, to),
      this.usage.byChatbot(userId, from, to),
    ]);
    return {
      month: from.toISOString().slice(0, 7),
      totals: toTotals(totals),
      days: days.map((row) => ({ date: row.key ?? '', ...toTotals(row) })),
      byModel: byModel.map((row) => {
        const model = row.key ?? 'unknown';
        return { model, label: labelOf(model), ...toTotals(row) };
      }),
      byChatbot: byChatbot
        .filter((row) => row.key !== null)
        .map((row) => ({
          chatbotId: row.key!,
          name: row.name ?? 'Deleted chatbot',
          deleted: row.name === null,
          ...toTotals(row),
        })),
    };
  }

  /** Every user's usage in a month: the operator's totals, per model and per user id (admin console). */
  async operatorMonth(month: string) {
    const { from, to } = monthWindow(month);
    const [totals, byModel, byUser] = await Promise.all([
      this.usage.totalsAll(from, to),
      this.usage.byModelAll(from, to),
      this.usage.byUser(from, to),
    ]);
    return {
      totals: toTotals(totals),
      byModel: byModel.map((row) => ({ model: row.key ?? 'unknown', ...toTotals(row) })),
      byUser: new Map(byUser.map((row) => [row.key, toTotals(row)])),
    };
  }
}

/** `2026-11` → its first instant and the next month's (UTC). */
export function monthWindow(month: string): { from: Date; to: Date } {
  const [year, index] = month.split('-').map(Number) as [number, number];
  return { from: new Date(Date.UTC(year, index - 1, 1)), to: new Date(Date.UTC(year, index, 1)) };
}

function toTotals(sums: UsageSums): UsageTotals {
  return {
    promptTokens: sums.promptTokens,
    completionTokens: sums.completionTokens,
    // Sums of doubles drift in the last digits; a report shows micro-dollars at most.
    costUsd: Math.round(sums.costUsd * 1e6) / 1e6,
    messages: sums.messages,
  };
}
