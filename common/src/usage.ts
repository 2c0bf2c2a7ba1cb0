import type { UsageTotals } from './chat.js';

/** GET /api/usage?month=YYYY-MM: one calendar month (UTC) of the caller's usage. */
export interface UsageMonthReport {
  month: string; // "2026-11"
  totals: UsageTotals;
  /** Every day of the month that had usage, oldest first (`2026-11-05`). */
  days: Array<UsageTotals & { date: string }>;
  /** `label`: the catalog's name for the alias (the id when the catalog no longer has it). */
  byModel: Array<UsageTotals & { model: string; label: string }>;
  /** `deleted`: the chatbot is gone (its usage stays); `name` is then a placeholder. */
  byChatbot: Array<UsageTotals & { chatbotId: string; name: string; deleted: boolean }>;
}

export const USAGE_MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;
