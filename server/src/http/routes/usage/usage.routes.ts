import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { CatalogReader } from '../../../models/catalog-model.js';
import type { PlanOverviewService } from '../../../services/account/plan-overview-service.js';
import type { UsageService } from '../../../services/usage-service.js';
import { requireUser } from '../../plugins/auth.js';
import { commonErrors } from '../error.schemas.js';
import { planOverview, usageQuery, usageReport } from './usage.schemas.js';

export interface UsageRoutesOptions {
  usage: UsageService;
  catalog: CatalogReader;
  planOverview: PlanOverviewService;
}

/** The caller's own usage and plan. */
export const usageRoutes: FastifyPluginAsyncZod<UsageRoutesOptions> = async (app, options) => {
  const labelOf = (model: string) => options.catalog.get(model)?.label ?? model;

  app.get(
    '/api/usage',
    {
      schema: {
        tags: ['usage'],
        summary: 'My tokens and cost for a month (UTC), per day, per model and per chatbot',
        querystring: usageQuery,
        response: { 200: usageReport, ...commonErrors },
      },
    },
    async (request) => options.usage.monthReport(requireUser(request).id, request.query.month, labelOf),
  );

  app.get(
    '/api/plan',
    {
      schema: {
        tags: ['usage'],
        summary: 'My plan: models, limits, this month’s use against them, and what higher plans add',
        response: { 200: planOverview, ...commonErrors },
      },
    },
    async (request) => options.planOverview.overview(requireUser(request).id),
  );
};
