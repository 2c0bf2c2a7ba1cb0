import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

const publicInfo = z.object({
  llmMode: z.enum(['proxy', 'direct', 'demo']),
  defaultModel: z.string(),
  plans: z.array(z.string()),
  signup: z
    .enum(['open', 'invite', 'closed'])
    .describe(
      'SIGNUP: anyone may sign up, only with an invite link, or nobody (the first account always may, so a server without accounts says open)',
    ),
});

/** What the SPA needs to know about this server (public, no secrets). */
export const configRoutes: FastifyPluginAsyncZod<{
  info: () => Promise<z.infer<typeof publicInfo>>;
}> = async (app, { info }) => {
  app.get(
    '/api/config',
    { schema: { tags: ['account'], summary: 'Public server information', response: { 200: publicInfo } } },
    async () => info(),
  );
};
