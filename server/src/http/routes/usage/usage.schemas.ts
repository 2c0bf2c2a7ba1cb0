import { z } from 'zod';
import { USAGE_MONTH_PATTERN } from '@app/common';

const totals = {
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  costUsd: z.number(),
  messages: z.number().int(),
};

export const usageQuery = z
  .object({
    month: z
      .string()
      .regex(USAGE_MONTH_PATTERN, 'Choose a month as YYYY-MM, e.g. 2026-11.')
      .optional()
      .describe('Calendar month (UTC), e.g. 2026-11; default the current month'),
  })
  .strict();

export const usageReport = z.object({
  month: z.string().describe('Calendar month (UTC), e.g. 2026-11'),
  totals: z.object(totals),
  days: z.array(z.object({ date: z.string().describe('UTC day, e.g. 2026-11-05'), ...totals })),
  byModel: z.array(z.object({ model: z.string(), label: z.string(), ...totals })),
  byChatbot: z.array(
    z.object({
      chatbotId: z.string(),
      name: z.string(),
      deleted: z.boolean().describe('The chatbot was deleted; its usage stays'),
      ...totals,
    }),
  ),
});

const limits = z.object({
  requestsPerMinute: z.number().int().optional(),
  concurrentStreams: z.number().int().optional(),
  monthlyTokenBudget: z.number().int().optional(),
  monthlySpendBudgetUsd: z.number().optional(),
  maxInputChars: z.number().int().optional(),
  maxTokens: z.number().int().optional(),
});
const model = z.object({ id: z.string(), label: z.string() });

export const planOverview = z.object({
  plan: z.string().nullable().describe('The active plan; null: the free baseline'),
  models: z.array(model),
  limits,
  usage: z.object({
    month: z.string(),
    tokens: z.number().int().describe('Prompt + completion tokens this month, as the budget counts them'),
    costUsd: z.number(),
    resetsAt: z.string().describe('When the monthly budgets start again (ISO 8601, UTC)'),
  }),
  higherPlans: z.array(z.object({ plan: z.string(), addedModels: z.array(model), limits })),
  upgrade: z.object({
    url: z.string().nullable(),
    contact: z.string().nullable().describe('Both null: ask your administrator'),
  }),
});
