import { z } from 'zod';

/**
 * The shape of the plans file (`LLM_PLAN_MODELS_FILE`, see config/plans.yaml.example). Limits are read
 * here and enforced by the limits work (issue 7); every limit is optional — absent means "not limited
 * by the plan" (the server's global ceilings still apply).
 */

export const PLAN_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,39}$/;
/** `none` clears a plan in the admin CLI; `baseline` names the no-plan section. */
export const RESERVED_PLAN_NAMES = new Set(['none', 'baseline']);

const positiveInt = z.number().int().positive();

export const planLimitsSchema = z
  .object({
    requestsPerMinute: positiveInt.optional(),
    concurrentStreams: positiveInt.optional(),
    monthlyTokenBudget: positiveInt.optional(),
    monthlySpendBudgetUsd: z.number().positive().optional(),
    maxInputChars: positiveInt.optional(),
    maxTokens: positiveInt.optional(),
  })
  .strict();

export type PlanLimits = z.infer<typeof planLimitsSchema>;

const modelList = z.array(z.string().trim().min(1, 'expected a model alias'), {
  error: (issue) => (issue.input === undefined ? 'required' : 'expected a list of model aliases'),
});

export const upgradeSchema = z
  .object({
    url: z
      .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
      .max(2048)
      .optional(),
    contact: z.string().trim().min(1).max(300).optional(),
  })
  .strict();

export type PlanUpgrade = z.infer<typeof upgradeSchema>;

/** What a plan may do with API keys (/v1/*); a plan of a plans file without it has none. */
export const apiKeysEntitlementSchema = z
  .object({
    allowed: z.boolean({ error: 'expected true or false' }),
    maxKeys: positiveInt.optional(),
  })
  .strict();

export type ApiKeysEntitlement = z.infer<typeof apiKeysEntitlementSchema>;

/**
 * Issue 22: whether the plan's users may publish chatbots to visitors without an account, how many,
 * and the visitor limits a newly published bot starts with (docs/publishing.md). A plans file whose
 * plan has no `publishing` section does not allow it; without a plans file everyone may publish.
 */
export const planPublishingSchema = z
  .object({
    allowed: z.boolean(),
    maxPublishedBots: positiveInt.optional(),
    visitorDefaults: z
      .object({
        messagesPerHour: positiveInt.optional(),
        messagesPerDay: positiveInt.optional(),
        concurrentAnswers: positiveInt.optional(),
        monthlySpendCapUsd: z.number().min(0).optional(),
        perIpPerHour: positiveInt.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type PlanPublishing = z.infer<typeof planPublishingSchema>;

export const planSectionSchema = z
  .object({
    models: modelList.min(1, 'expected at least one model alias (or "*")'),
    limits: planLimitsSchema.optional(),
    publishing: planPublishingSchema.optional(),
    apiKeys: apiKeysEntitlementSchema.optional(),
  })
  .strict();

export const plansFileSchema = z
  .object({
    plans: z.record(z.string(), planSectionSchema, {
      error: 'expected a mapping of plan name → { models, limits }',
    }),
    baseline: z
      .object({
        models: modelList.min(1, 'is empty: users without a plan could use no model').optional(),
        limits: planLimitsSchema.optional(),
        publishing: planPublishingSchema.optional(),
        apiKeys: apiKeysEntitlementSchema.optional(),
      })
      .strict()
      .optional(),
    /**
     * Where the plan page sends a user who wants more: a link (a pricing or contact page) and/or a
     * line of contact text. Without it the page says to ask the administrator.
     */
    upgrade: upgradeSchema.optional(),
  })
  .strict();

export type PlansFile = z.infer<typeof plansFileSchema>;

/** `LLM_PLAN_MODELS_JSON`: `{"basic":["chat-default"],"pro":[…],"enterprise":["*"]}`. */
export const planModelsJsonSchema = z.record(
  z.string(),
  modelList.min(1, 'expected at least one model alias (or "*")'),
  {
    error: 'expected an object of plan name → list of model aliases',
  },
);
