import { z } from 'zod';
import { USAGE_MONTH_PATTERN } from '@app/common';

export const tags = ['admin'];
export const email = z.string().trim().min(3).max(320);

const totals = z.object({
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  costUsd: z.number(),
  messages: z.number().int(),
});

export const adminUser = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  role: z.enum(['user', 'admin']),
  plan: z.string().nullable(),
  disabled: z.boolean(),
  createdAt: z.string(),
  usage: totals.describe('This calendar month (UTC)'),
});

export const usersQuery = z
  .object({ q: z.string().max(200).optional().describe('Part of an email or a name') })
  .strict();

export const userIdParams = z.object({ id: z.string().min(1).max(100) });

export const disabledBody = z.object({ disabled: z.boolean() }).strict();

const limits = z.record(z.string(), z.number());

export const plansView = z.object({
  source: z.enum(['file', 'env', 'default']),
  filePath: z.string().nullable(),
  loadedAt: z.string().nullable().describe('When the table in force was loaded'),
  lastError: z
    .object({ message: z.string(), at: z.string() })
    .nullable()
    .describe('The last rejected reload'),
  warnings: z.array(z.string()),
  plans: z.array(z.object({ plan: z.string(), models: z.array(z.string()), limits })),
  baseline: z.object({ models: z.array(z.string()), limits }),
  upgrade: z.object({ url: z.string().optional(), contact: z.string().optional() }),
});

export const modelsView = z.object({
  status: z.object({
    source: z.string(),
    models: z.number().int(),
    discovery: z.string(),
    lastRefreshAt: z.string().nullable(),
    stale: z.boolean(),
    unserved: z.array(z.string()),
    error: z.string().optional(),
    warnings: z.array(z.string()),
  }),
  models: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      provider: z.string(),
      hidden: z.boolean(),
      served: z.boolean(),
      healthStatus: z.string().nullable(),
    }),
  ),
});

export const operatorUsageQuery = z
  .object({
    month: z.string().regex(USAGE_MONTH_PATTERN, 'Choose a month as YYYY-MM, e.g. 2026-11.').optional(),
  })
  .strict();

export const operatorUsage = z.object({
  month: z.string(),
  totals,
  byModel: z.array(totals.extend({ model: z.string(), label: z.string() })),
  users: z.number().int().describe('Accounts with usage this month'),
  deletedAccounts: totals.describe('Usage of accounts deleted since (anonymised rows)'),
});

export const auditRow = z.object({
  id: z.string(),
  actor: z.string(),
  actorUserId: z.string().nullable(),
  targetUserId: z.string().nullable(),
  targetEmail: z.string(),
  action: z.enum(['set_plan', 'set_role', 'disable', 'enable', 'invite_create', 'invite_revoke']),
  fromValue: z.string().nullable(),
  toValue: z.string().nullable(),
  createdAt: z.string(),
});
