import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { redactDeep } from '../../../logging/redact.js';

export interface ReadinessProbe {
  /** Answers when the database does (bounded by a timeout). */
  database(): Promise<void>;
  /** How the LLM endpoint looks: mode, endpoint (no credentials), catalog freshness. */
  llm(): Record<string, unknown>;
  /** True once shutdown began: the load balancer should stop sending traffic. */
  shuttingDown(): boolean;
}

const DB_TIMEOUT_MS = 2_000;

export const healthRoutes: FastifyPluginAsyncZod<{ probe: ReadinessProbe }> = async (app, { probe }) => {
  app.get(
    '/healthz',
    {
      logLevel: 'warn',
      schema: {
        tags: ['operations'],
        summary: 'Liveness',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      logLevel: 'warn',
      schema: { tags: ['operations'], summary: 'Readiness: database, LLM endpoint, shutdown state' },
    },
    async (_request, reply) => {
      const database = await check(probe.database());
      const shuttingDown = probe.shuttingDown();
      const ready = database.ok && !shuttingDown;
      // Unauthenticated, and its texts come from drivers and the upstream: blank any secret in them.
      return reply.status(ready ? 200 : 503).send(
        redactDeep({
          status: ready ? 'ready' : 'not_ready',
          shuttingDown,
          checks: { database, llm: probe.llm() },
        }),
      );
    },
  );
};

async function check(operation: Promise<void>): Promise<{ ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${DB_TIMEOUT_MS} ms`)), DB_TIMEOUT_MS);
  });
  try {
    await Promise.race([operation, timeout]);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
