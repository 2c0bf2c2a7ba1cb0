import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AccountExportService } from '../../../services/account/account-export-service.js';
import { requireUser } from '../../plugins/auth.js';
import { commonErrors } from '../error.schemas.js';

const record = z.record(z.string(), z.unknown());
const accountExport = z.object({
  exportedAt: z.string(),
  profile: z.object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    role: z.string(),
    plan: z.string().nullable(),
    createdAt: z.string(),
  }),
  chatbots: z.array(record),
  conversations: z.array(record.and(z.object({ messages: z.array(record) }))),
  usage: z.array(record),
});

/**
 * The signed-in user's own account beyond better-auth's endpoints (name, email, password, sessions
 * and deletion go through /api/auth/*: update-user, change-email, change-password, revoke-sessions,
 * delete-user).
 */
export const accountRoutes: FastifyPluginAsyncZod<{ accountExport: AccountExportService }> = async (
  app,
  { accountExport: exporter },
) => {
  app.get(
    '/api/account/export',
    {
      schema: {
        tags: ['account'],
        summary: 'Download my data: profile, chatbots, conversations with messages, usage (JSON)',
        response: { 200: accountExport, ...commonErrors },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const data = await exporter.export(user.id);
      const day = data.exportedAt.slice(0, 10);
      reply.header('content-disposition', `attachment; filename="chatbot-builder-export-${day}.json"`);
      reply.header('cache-control', 'no-store');
      return data;
    },
  );
};
