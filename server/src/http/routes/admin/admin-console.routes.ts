import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { PlanStore } from '../../../config/plans-store.js';
import type { ModelCatalog } from '../../../models/model-catalog.js';
import type { AuditRow } from '../../../services/admin/admin-audit.js';
import { budgetMonthOf } from '../../../services/limits/budget-month.js';
import type { UsageService } from '../../../services/usage-service.js';
import { commonErrors } from '../error.schemas.js';
import { adminGuard } from './admin-guard.js';
import { auditRow, modelsView, operatorUsage, operatorUsageQuery, plansView, tags } from './admin.schemas.js';

export interface AdminConsoleRoutesOptions {
  plans: PlanStore;
  catalog: ModelCatalog;
  usage: UsageService;
  audit: () => Promise<AuditRow[]>;
  cliToken: string | null;
}

/** What the admin console reads: plans as loaded, the catalog's state, operator totals, the audit log. */
export const adminConsoleRoutes: FastifyPluginAsyncZod<AdminConsoleRoutesOptions> = async (app, options) => {
  const authorize = adminGuard(options.cliToken);
  const { catalog } = options;

  app.get(
    '/api/admin/plans',
    {
      schema: {
        tags,
        summary: 'The plans table in force, when it was loaded, and the last rejected reload',
        response: { 200: plansView, ...commonErrors },
      },
    },
    async (request) => {
      authorize(request);
      const table = options.plans.current();
      return {
        source: table.source,
        ...options.plans.status(),
        warnings: [...table.warnings],
        plans: table.plans.map((plan) => ({
          plan,
          models: [...table.modelsFor(plan)],
          limits: { ...table.limitsFor(plan) },
        })),
        baseline: { models: [...table.baseline.models], limits: { ...table.baseline.limits } },
        upgrade: { ...table.upgrade },
      };
    },
  );

  app.get(
    '/api/admin/models',
    {
      schema: {
        tags,
        summary: 'The model catalog: each alias with its health and whether the proxy serves it',
        response: { 200: modelsView, ...commonErrors },
      },
    },
    async (request) => {
      authorize(request);
      const status = catalog.status();
      const unserved = new Set(status.unserved);
      const listed = catalog.list().map((model) => ({
        id: model.id,
        label: model.label,
        provider: model.provider,
        hidden: model.hidden,
        served: model.served !== false && !unserved.has(model.id),
        healthStatus: model.healthStatus ?? null,
      }));
      const extra = (catalog.unservedModels?.() ?? [])
        .filter((model) => !listed.some((entry) => entry.id === model.id))
        .map((model) => ({
          id: model.id,
          label: model.label,
          provider: model.provider,
          hidden: model.hidden,
          served: false,
          healthStatus: model.healthStatus ?? null,
        }));
      return { status, models: [...listed, ...extra] };
    },
  );

  app.get(
    '/api/admin/usage',
    {
      schema: {
        tags,
        summary: 'Totals across every user for a month (UTC), deleted accounts included',
        querystring: operatorUsageQuery,
        response: { 200: operatorUsage, ...commonErrors },
      },
    },
    async (request) => {
      authorize(request);
      const month = request.query.month ?? budgetMonthOf(new Date()).id;
      const report = await options.usage.operatorMonth(month);
      const deleted = report.byUser.get(null) ?? {
        promptTokens: 0,
        completionTokens: 0,
        costUsd: 0,
        messages: 0,
      };
      return {
        month,
        totals: report.totals,
        byModel: report.byModel.map((row) => ({ ...row, label: catalog.get(row.model)?.label ?? row.model })),
        users: [...report.byUser.keys()].filter((key) => key !== null).length,
        deletedAccounts: deleted,
      };
    },
  );

  app.get(
    '/api/admin/audit',
    {
      schema: {
        tags,
        summary: 'Administrative changes, latest first (console and CLI)',
        response: { 200: z.array(auditRow), ...commonErrors },
      },
    },
    async (request) => {
      authorize(request);
      return options.audit();
    },
  );
};
