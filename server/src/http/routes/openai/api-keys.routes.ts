import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createApiKeyBody, USAGE_MONTH_PATTERN } from '@app/common';
import type { ApiKeyService } from '../../../services/api-keys/api-key-service.js';
import type { ChatbotDirectory } from '../../../services/api-keys/chatbot-directory.js';
import { requireUser } from '../../plugins/auth.js';
import { commonErrors } from '../error.schemas.js';
import { idParams } from '../id.schemas.js';

const tags = ['api-keys'];

const apiKeyResponse = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string().describe('The first characters of the secret, to recognise it'),
  chatbotIds: z.array(z.string()).nullable().describe('null: every chatbot of the owner'),
  expiresAt: z.string().nullable(),
  monthlySpendCapUsd: z.number().nullable(),
  requestsPerMinute: z.number().int().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  createdAt: z.string(),
  usage: z.object({
    requests: z.number().int(),
    costUsd: z.number(),
    promptTokens: z.number().int(),
    completionTokens: z.number().int(),
  }),
});

/** The signed-in user's API keys (the app's cookie session; the keys themselves work on /v1 only). */
export const apiKeysRoutes: FastifyPluginAsyncZod<{
  keys: ApiKeyService;
  directory: ChatbotDirectory;
}> = async (app, { keys, directory }) => {
  app.get(
    '/api/api-keys/chatbots',
    {
      schema: {
        tags,
        summary: 'My chatbots with the `model` (slug) each answers to on /v1',
        response: {
          200: z.array(z.object({ id: z.string(), name: z.string(), slug: z.string() })),
          ...commonErrors,
        },
      },
    },
    async (request) =>
      (await directory.list(requireUser(request).id, null)).map(({ id, name, slug }) => ({ id, name, slug })),
  );

  app.get(
    '/api/api-keys/usage',
    {
      schema: {
        tags,
        summary: "One month's usage per API key (the Usage page); the current month by default",
        querystring: z.object({
          month: z.string().regex(USAGE_MONTH_PATTERN, 'expected YYYY-MM').optional(),
        }),
        response: {
          200: z.array(
            z.object({
              id: z.string(),
              name: z.string(),
              prefix: z.string(),
              revoked: z.boolean(),
              requests: z.number().int(),
              costUsd: z.number(),
              promptTokens: z.number().int(),
              completionTokens: z.number().int(),
            }),
          ),
          ...commonErrors,
        },
      },
    },
    async (request) =>
      keys.usageByKey(requireUser(request).id, request.query.month ?? new Date().toISOString().slice(0, 7)),
  );

  app.get(
    '/api/api-keys',
    {
      schema: {
        tags,
        summary: 'List my API keys (never their secrets) and what my plan allows',
        response: {
          200: z.object({
            keys: z.array(apiKeyResponse),
            allowed: z.boolean(),
            maxKeys: z.number().int().nullable(),
          }),
          ...commonErrors,
        },
      },
    },
    async (request) => keys.list(requireUser(request).id),
  );

  app.post(
    '/api/api-keys',
    {
      schema: {
        tags,
        summary: 'Create an API key: the secret is in this answer only',
        body: createApiKeyBody,
        response: { 201: z.object({ key: apiKeyResponse, secret: z.string() }), ...commonErrors },
      },
    },
    async (request, reply) => {
      const created = await keys.create(requireUser(request).id, request.body);
      // The secret must not sit in a shared cache or the browser's.
      reply.header('cache-control', 'no-store');
      return reply.status(201).send(created);
    },
  );

  app.delete(
    '/api/api-keys/:id',
    {
      schema: {
        tags,
        summary: 'Revoke an API key at once, on every instance',
        params: idParams,
        response: { 204: z.null(), ...commonErrors },
      },
    },
    async (request, reply) => {
      await keys.revoke(requireUser(request).id, request.params.id);
      return reply.status(204).send(null);
    },
  );
};
