import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SubscriptionService } from '../../src/services/subscription-service.js';
import { as } from '../helpers/build-test-app.js';
import { createChatbot, createKey, newOwner, startApiFixture, type ApiFixture } from './openai-fixtures.js';

const ADMIN_TOKEN = 'admin-token-for-api-plan-tests';

const PLANS = `
plans:
  basic:
    models: [chat-default]
    apiKeys: { allowed: true, maxKeys: 1 }
  pro:
    models: [chat-default, plain-default]
    apiKeys: { allowed: true }
baseline:
  models: [chat-default]
  apiKeys: { allowed: false }
`;

/** The plans file's `apiKeys` and the plan's models, on the API. */
describe('API keys and plans', () => {
  let f: ApiFixture;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-plans-'));
    fs.writeFileSync(path.join(dir, 'plans.yaml'), PLANS);
    f = await startApiFixture({
      env: { LLM_PLAN_MODELS_FILE: path.join(dir, 'plans.yaml') },
      adminCliToken: ADMIN_TOKEN,
    });
  });
  afterAll(async () => {
    await f.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const withPlan = async (email: string, plan: string | null) => {
    const owner = await newOwner(f.t, email);
    if (plan) await new SubscriptionService(f.t.database.db, () => [plan]).setPlanByEmail(email, plan);
    return owner;
  };

  it('a plan whose apiKeys say no has no keys (403, said in words)', async () => {
    const { cookie } = await withPlan('no-plan-keys@example.com', null);
    const response = await f.t.app.inject({
      method: 'POST',
      url: '/api/api-keys',
      headers: as(cookie),
      payload: { name: 'Nope', chatbotIds: null },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.message).toContain('does not include API keys');
    const list = await f.t.app.inject({ method: 'GET', url: '/api/api-keys', headers: as(cookie) });
    expect(list.json()).toMatchObject({ allowed: false, keys: [] });
  });

  it('maxKeys counts active keys; a revoked one frees its place', async () => {
    const { cookie } = await withPlan('basic-keys@example.com', 'basic');
    const first = await createKey(f.t, cookie);
    const second = await f.t.app.inject({
      method: 'POST',
      url: '/api/api-keys',
      headers: as(cookie),
      payload: { name: 'Second', chatbotIds: null },
    });
    expect(second.statusCode).toBe(409);
    expect(second.json().error.message).toContain('allows 1 active API keys');
    await f.t.app.inject({ method: 'DELETE', url: `/api/api-keys/${first.key.id}`, headers: as(cookie) });
    await expect(createKey(f.t, cookie)).resolves.toBeDefined();
  });

  it("a chatbot on a model the owner's plan no longer allows answers 403", async () => {
    const email = 'downgraded@example.com';
    const { cookie } = await withPlan(email, 'pro');
    await createChatbot(f.t, cookie, { name: 'Plain bot', model: 'plain-default' });
    const { secret } = await createKey(f.t, cookie);
    const sdk = new OpenAI({ baseURL: `${f.base}/v1`, apiKey: secret, maxRetries: 0 });
    const downgrade = await f.t.app.inject({
      method: 'POST',
      url: '/api/admin/users/plan',
      headers: { 'x-admin-token': ADMIN_TOKEN },
      payload: { email, plan: 'basic' },
    });
    expect(downgrade.statusCode).toBe(200);
    await expect
      .poll(
        () =>
          sdk.chat.completions
            .create({ model: 'plain-bot', messages: [{ role: 'user', content: 'hi' }] })
            .then(
              () => 'answered',
              (error: unknown) => (error instanceof OpenAI.PermissionDeniedError ? 'denied' : String(error)),
            ),
        { timeout: 2_000, interval: 50 },
      )
      .toBe('denied');
  });

  it("a disabled owner's key fails at once", async () => {
    const { cookie } = await withPlan('disabled-owner@example.com', 'pro');
    await createChatbot(f.t, cookie, { name: 'Soon gone' });
    const { secret } = await createKey(f.t, cookie);
    const sdk = new OpenAI({ baseURL: `${f.base}/v1`, apiKey: secret, maxRetries: 0 });
    await expect(sdk.models.list()).resolves.toBeDefined();
    const me = (await f.t.app.inject({ method: 'GET', url: '/api/me', headers: as(cookie) })).json() as {
      id: string;
    };
    const disable = await f.t.app.inject({
      method: 'POST',
      url: `/api/admin/users/${me.id}/disabled`,
      headers: { 'x-admin-token': ADMIN_TOKEN },
      payload: { disabled: true },
    });
    expect(disable.statusCode).toBe(200);
    await expect(sdk.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('validation errors name their field', async () => {
    const { cookie } = await withPlan('fields@example.com', 'pro');
    const response = await f.t.app.inject({
      method: 'POST',
      url: '/api/api-keys',
      headers: as(cookie),
      payload: { name: '', chatbotIds: null, requestsPerMinute: 0 },
    });
    expect(response.statusCode).toBe(400);
    const fields = (response.json().error.details as Array<{ field: string }>).map((detail) => detail.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'requestsPerMinute']));
    const past = await f.t.app.inject({
      method: 'POST',
      url: '/api/api-keys',
      headers: as(cookie),
      payload: { name: 'Old', chatbotIds: null, expiresAt: '2020-01-01T00:00:00Z' },
    });
    expect(past.json().error.details[0].field).toBe('expiresAt');
  });
});
