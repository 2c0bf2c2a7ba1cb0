import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, buildTestApp, signUp, type TestApp } from '../helpers/build-test-app.js';

describe('chatbots API', () => {
  let t: TestApp;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    t = await buildTestApp();
    alice = await signUp(t.app, 'alice@example.com');
    bob = await signUp(t.app, 'bob@example.com');
  });
  afterAll(() => t.close());

  const create = (cookie: string, payload: unknown) =>
    t.app.inject({ method: 'POST', url: '/api/chatbots', headers: as(cookie), payload: payload as object });

  it('refuses anonymous callers with the error shape', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/chatbots' });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ error: { code: 'unauthorized', message: 'Sign in to continue' } });
  });

  it('creates with defaults, lists, reads, updates and deletes', async () => {
    const created = await create(alice, { name: 'Helper', description: 'Helps' });
    expect(created.statusCode).toBe(201);
    const bot = created.json();
    expect(bot).toMatchObject({
      name: 'Helper',
      description: 'Helps',
      systemPrompt: '',
      model: 'chat-default',
      temperature: 0.7,
      maxTokens: 1024,
      reasoningEffort: null,
    });

    const list = await t.app.inject({ method: 'GET', url: '/api/chatbots', headers: as(alice) });
    expect(list.json().map((item: { id: string }) => item.id)).toContain(bot.id);

    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/chatbots/${bot.id}`,
      headers: as(alice),
      payload: { name: 'Helper 2', temperature: 1.5 },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ name: 'Helper 2', temperature: 1.5, description: 'Helps' });

    const read = await t.app.inject({ method: 'GET', url: `/api/chatbots/${bot.id}`, headers: as(alice) });
    expect(read.json().name).toBe('Helper 2');

    const deleted = await t.app.inject({
      method: 'DELETE',
      url: `/api/chatbots/${bot.id}`,
      headers: as(alice),
    });
    expect(deleted.statusCode).toBe(204);
    const gone = await t.app.inject({ method: 'GET', url: `/api/chatbots/${bot.id}`, headers: as(alice) });
    expect(gone.statusCode).toBe(404);
  });

  it("keeps users out of each other's chatbots (404, no data)", async () => {
    const bot = (await create(alice, { name: 'Private' })).json();
    for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
      const response = await t.app.inject({
        method,
        url: `/api/chatbots/${bot.id}`,
        headers: as(bob),
        ...(method === 'PATCH' ? { payload: { name: 'stolen' } } : {}),
      });
      expect(response.statusCode).toBe(404);
      expect(response.body).not.toContain('Private');
    }
    const bobsList = await t.app.inject({ method: 'GET', url: '/api/chatbots', headers: as(bob) });
    expect(bobsList.json()).toEqual([]);
    const still = await t.app.inject({ method: 'GET', url: `/api/chatbots/${bot.id}`, headers: as(alice) });
    expect(still.json().name).toBe('Private');
  });

  it('validates bodies and rejects unknown fields', async () => {
    const cases: Array<[unknown, string]> = [
      [{ name: '' }, 'name'],
      [{ name: 'x', temperature: 3 }, 'temperature'],
      [{ name: 'x', maxTokens: 0 }, 'maxTokens'],
      [{ name: 'x', maxTokens: 1.5 }, 'maxTokens'],
      [{ name: 'x', userId: 'someone-else' }, 'userId'],
      [{ name: 'x', role: 'admin' }, 'role'],
    ];
    for (const [payload, field] of cases) {
      const response = await create(alice, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      const body = response.json();
      expect(body.error.code).toBe('validation_failed');
      expect(JSON.stringify(body.error)).toContain(field);
    }
  });

  it('applies the max-tokens ceiling, named in words and on the field', async () => {
    const response = await create(alice, { name: 'x', maxTokens: 1_000_000 });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toEqual({
      code: 'validation_failed',
      message: 'Max tokens must be at most 8,192 for this model.',
      details: { field: 'maxTokens', max: 8192 },
    });
  });

  it('answers 400 with the error shape to malformed JSON', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/chatbots',
      headers: { ...as(alice), 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('bad_request');
  });
});
