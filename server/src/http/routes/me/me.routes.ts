import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SubscriptionService } from '../../../services/subscription-service.js';
import { requireUser } from '../../plugins/auth.js';
import { commonErrors } from '../error.schemas.js';

const meResponse = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(['user', 'admin']),
  plan: z.string().nullable(),
  firstAccount: z
    .boolean()
    .describe('This account became the administrator by being the first on the instance'),
});

export interface MeRoutesOptions {
  subscriptions: SubscriptionService;
  isFirstAccount: (userId: string) => Promise<boolean>;
}

export const meRoutes: FastifyPluginAsyncZod<MeRoutesOptions> = async (
  app,
  { subscriptions, isFirstAccount },
) => {
  app.get(
    '/api/me',
    { schema: { tags: ['account'], summary: 'Who am I', response: { 200: meResponse, ...commonErrors } } },
    async (request) => {
      const user = requireUser(request);
      const [plan, firstAccount] = await Promise.all([
        subscriptions.getActivePlan(user.id),
        isFirstAccount(user.id),
      ]);
      return { ...user, plan, firstAccount };
    },
  );
};
