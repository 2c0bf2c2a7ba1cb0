import type { PlanOverview } from '@app/common';
import type { PlanTable } from '../../config/plans.js';
import type { CatalogReader } from '../../models/catalog-model.js';
import { allowedModels } from '../../models/eligibility.js';
import { budgetMonthOf } from '../limits/budget-month.js';
import type { UsageService } from '../usage-service.js';

export interface PlanOverviewDeps {
  catalog: CatalogReader;
  plans: () => PlanTable;
  /** The caller's active plan, read now (an admin's change shows at once). */
  activePlan: (userId: string) => Promise<string | null>;
  usage: UsageService;
  now?: () => Date;
}

/** The plan page: the plan in force, its limits and models, the month's use, and the plans above. */
export class PlanOverviewService {
  constructor(private readonly deps: PlanOverviewDeps) {}

  async overview(userId: string): Promise<PlanOverview> {
    const { catalog } = this.deps;
    const table = this.deps.plans();
    const active = await this.deps.activePlan(userId);
    const plan = table.hasPlan(active) ? active : null;
    const now = this.deps.now?.() ?? new Date();
    const month = budgetMonthOf(now);
    const report = await this.deps.usage.monthReport(userId, month.id);
    const view = (name: string | null) =>
      allowedModels(catalog, table, name).map((model) => ({ id: model.id, label: model.label }));
    const mine = view(plan);
    const have = new Set(mine.map((model) => model.id));
    return {
      plan,
      models: mine,
      limits: { ...table.limitsFor(plan) },
      usage: {
        month: month.id,
        tokens: report.totals.promptTokens + report.totals.completionTokens,
        costUsd: report.totals.costUsd,
        resetsAt: month.end.toISOString(),
      },
      higherPlans: table.plans.slice(table.rankOf(plan) + 1).map((name) => ({
        plan: name,
        addedModels: view(name).filter((model) => !have.has(model.id)),
        limits: { ...table.limitsFor(name) },
      })),
      upgrade: { url: table.upgrade.url ?? null, contact: table.upgrade.contact ?? null },
    };
  }
}
