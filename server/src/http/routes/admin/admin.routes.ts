import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AdminUsersService } from '../../../services/admin/admin-users-service.js';
import type { SubscriptionService } from '../../../services/subscription-service.js';
import { commonErrors } from '../error.schemas.js';
import { adminGuard } from './admin-guard.js';
import { adminUser, disabledBody, email, tags, userIdParams, usersQuery } from './admin.schemas.js';

export interface AdminRoutesOptions {
  subscriptions: SubscriptionService;
  users: AdminUsersService;
  /**
   * A per-process token kept in DATA_DIR (0600): the admin CLI uses it to reach a running server
   * when the embedded database is locked by it. Null disables token access.
   */
  cliToken: string | null;
}

/** Admin-only user management: an admin session, or the local CLI token. Everyone else: 404. */
export const adminRoutes: FastifyPluginAsyncZod<AdminRoutesOptions> = async (
  app,
  { subscriptions, users, cliToken },
) => {
  const authorize = adminGuard(cliToken);

  app.post(
    '/api/admin/users/plan',
    {
      schema: {
        tags,
        summary: "Set a user's plan (null removes it); audited",
        body: z.object({ email, plan: z.string().min(1).max(100).nullable() }).strict(),
        response: { 200: z.object({ userId: z.string(), plan: z.string().nullable() }), ...commonErrors },
      },
    },
    async (request) => {
      const actor = authorize(request);
      return subscriptions.setPlanByEmail(request.body.email, request.body.plan, actor);
    },
  );

  app.post(
    '/api/admin/users/role',
    {
      schema: {
        tags,
        summary: "Set a user's role; audited",
        body: z.object({ email, role: z.enum(['admin', 'user']) }).strict(),
        response: { 200: z.object({ userId: z.string(), role: z.enum(['admin', 'user']) }), ...commonErrors },
      },
    },
    async (request) => {
      const actor = authorize(request);
      return subscriptions.setRoleByEmail(request.body.email, request.body.role, actor);
    },
  );

  app.get(
    '/api/admin/users',
    {
      schema: {
        tags,
        summary: 'Users (search by email or name) with plan, role, state and this month’s usage',
        querystring: usersQuery,
        response: { 200: z.array(adminUser), ...commonErrors },
      },
    },
    async (request) => {
      authorize(request);
      return users.search(request.query.q ?? '');
    },
  );

  app.post(
    '/api/admin/users/:id/disabled',
    {
      schema: {
        tags,
        summary: 'Disable (no sign-in, sessions ended) or enable an account; audited',
        params: userIdParams,
        body: disabledBody,
        response: { 200: z.object({ userId: z.string(), disabled: z.boolean() }), ...commonErrors },
      },
    },
    async (request) => {
      const actor = authorize(request);
      return users.setDisabled(request.params.id, request.body.disabled, actor);
    },
  );
};
