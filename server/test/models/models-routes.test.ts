import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelListEntry } from '@app/common';
import { parsePlansConfig, type PlanTable } from '../../src/config/plans.js';
import { errorHandlerPlugin } from '../../src/http/plugins/error-handler.js';
import { modelsRoutes } from '../../src/http/routes/models/models.routes.js';
import type { CatalogModel } from '../../src/models/catalog-model.js';
import { createStaticCatalog } from '../../src/models/model-catalog.js';

const models: CatalogModel[] = [
  {
    id: 'chat-default',
    label: 'GPT-4o mini',
    provider: 'openai',
    hidden: false,
    maxOutputTokens: 16384,
    inputCostPerToken: 1.5e-7,
    outputCostPerToken: 6e-7,
  },
  { id: 'claude-default', label: 'Claude Sonnet', provider: 'anthropic', hidden: false },
  { id: 'gemini-default', label: 'Gemini Flash', provider: 'google', hidden: false },
  { id: 'prompt-helper', label: 'Prompt helper', provider: 'openai', hidden: true },
];
const planJson = '{"basic":["chat-default"],"pro":["chat-default","claude-default"],"enterprise":["*"]}';
/** userId → active plan, as the subscription service would answer. */
const activePlans: Record<string, string | null> = {
  'u-basic': 'basic',
  'u-pro': 'pro',
  'u-ent': 'enterprise',
  'u-none': null,
  'u-gone': 'gold',
};

let plans: PlanTable = parsePlansConfig({ chatModel: 'chat-default', plansJson: planJson });

async function buildRouteApp(showLockedModels: boolean): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(errorHandlerPlugin);
  await app.register(swagger, {
    openapi: { info: { title: 'test', version: '1' } },
    transform: jsonSchemaTransform,
  });
  // Stands in for the auth plugin: the signed-in user comes from a test header.
  app.addHook('onRequest', async (request) => {
    const id = request.headers['x-test-user'];
    request.user = typeof id === 'string' ? { id, email: `${id}@example.com`, name: id, role: 'user' } : null;
  });
  await app.register(modelsRoutes, {
    catalog: createStaticCatalog(models),
    plans: () => plans,
    subscriptions: { getActivePlan: async (userId) => activePlans[userId] ?? null },
    showLockedModels,
    maxTokensCeiling: 8192,
  });
  await app.ready();
  return app;
}

let app: FastifyInstance;
let hiddenLockedApp: FastifyInstance;
beforeAll(async () => {
  app = await buildRouteApp(true);
  hiddenLockedApp = await buildRouteApp(false);
});
afterAll(async () => {
  await app.close();
  await hiddenLockedApp.close();
});

const get = (user: string | null, headers: Record<string, string> = {}, target = app) =>
  target.inject({
    method: 'GET',
    url: '/api/llm/models',
    headers: user ? { 'x-test-user': user, ...headers } : headers,
  });

const summary = (body: ModelListEntry[]) =>
  body.map((entry) => (entry.locked ? `${entry.id}🔒${entry.requiredPlan}` : entry.id));

describe('GET /api/llm/models', () => {
  it('401 for anonymous callers, in the error shape', async () => {
    const response = await get(null);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ error: { code: 'unauthorized', message: 'Sign in to continue' } });
  });

  it.each([
    ['u-basic', ['chat-default', 'claude-default🔒pro', 'gemini-default🔒enterprise']],
    ['u-pro', ['chat-default', 'claude-default', 'gemini-default🔒enterprise']],
    ['u-ent', ['chat-default', 'claude-default', 'gemini-default']],
    ['u-none', ['chat-default', 'claude-default🔒pro', 'gemini-default🔒enterprise']],
    ['u-gone', ['chat-default', 'claude-default🔒pro', 'gemini-default🔒enterprise']],
  ])("%s sees its plan's models plus locked ones", async (user, expected) => {
    const response = await get(user);
    expect(response.statusCode).toBe(200);
    expect(summary(response.json())).toEqual(expected);
  });

  it('serialises capability fields and never the hidden prompt model', async () => {
    const body: ModelListEntry[] = (await get('u-ent')).json();
    expect(body[0]).toEqual({
      id: 'chat-default',
      label: 'GPT-4o mini',
      provider: 'openai',
      maxOutputTokens: 16384,
      // The model allows 16,384; this server's ceiling is 8,192.
      maxTokensAllowed: 8192,
      inputPricePer1k: 0.00015,
      outputPricePer1k: 0.0006,
    });
    expect(body.map((entry) => entry.id)).not.toContain('prompt-helper');
  });

  it('omits locked models when LLM_SHOW_LOCKED_MODELS is off', async () => {
    expect(summary((await get('u-basic', {}, hiddenLockedApp)).json())).toEqual(['chat-default']);
  });

  it('has a strong ETag and answers 304 to If-None-Match', async () => {
    const first = await get('u-basic');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers['cache-control']).toBe('private, no-cache');

    const again = await get('u-basic', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
    expect((await get('u-basic', { 'if-none-match': `"other", W/${etag}` })).statusCode).toBe(304);

    // Per plan: another plan's tag does not match.
    const pro = await get('u-pro', { 'if-none-match': etag });
    expect(pro.statusCode).toBe(200);
    expect(pro.headers.etag).not.toBe(etag);
    // Same plan, same tag (no per-user state in the body).
    expect((await get('u-gone')).headers.etag).toBe((await get('u-none')).headers.etag);
  });

  it('a changed plan table changes the ETag and the answer', async () => {
    const before = await get('u-basic');
    const previous = plans;
    plans = parsePlansConfig({
      chatModel: 'chat-default',
      plansJson: '{"basic":["chat-default","gemini-default"],"pro":["*"]}',
    });
    try {
      const after = await get('u-basic', { 'if-none-match': before.headers.etag as string });
      expect(after.statusCode).toBe(200);
      expect(summary(after.json())).toEqual(['chat-default', 'gemini-default', 'claude-default🔒pro']);
    } finally {
      plans = previous;
    }
  });

  it('is documented in OpenAPI with its response schema', async () => {
    const document = app.swagger() as {
      paths: Record<string, { get: { responses: Record<string, unknown> } }>;
    };
    const responses = document.paths['/api/llm/models']?.get.responses ?? {};
    expect(Object.keys(responses)).toEqual(expect.arrayContaining(['200', '304', '401']));
    const schema = JSON.stringify(responses['200']);
    for (const field of [
      'requiredPlan',
      'maxTokensAllowed',
      'maxTokensPlanClamp',
      'reasoningEfforts',
      'availability',
    ])
      expect(schema).toContain(field);
  });
});
