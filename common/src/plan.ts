/** GET /api/plan: the caller's plan, what it includes, this month's use, and what a higher plan adds. */

export interface PlanLimitsView {
  requestsPerMinute?: number;
  concurrentStreams?: number;
  monthlyTokenBudget?: number;
  monthlySpendBudgetUsd?: number;
  maxInputChars?: number;
  maxTokens?: number;
}

export interface PlanModelView {
  id: string;
  label: string;
}

export interface PlanOverview {
  /** The active plan, or null: the free baseline. */
  plan: string | null;
  models: PlanModelView[];
  limits: PlanLimitsView;
  /** This calendar month (UTC), as the budget counts it (the usage ledger). */
  usage: { month: string; tokens: number; costUsd: number; resetsAt: string };
  /** The plans above this one, cheapest first, with the models each adds. */
  higherPlans: Array<{ plan: string; addedModels: PlanModelView[]; limits: PlanLimitsView }>;
  /** Where to ask for more (from the plans file); both null: ask the administrator. */
  upgrade: { url: string | null; contact: string | null };
}
