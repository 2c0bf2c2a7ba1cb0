import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageRecords } from '../../src/db/schema.js';
import { as, buildTestApp, signUp, TEST_ORIGIN, type TestApp } from '../helpers/build-test-app.js';

const PLANS_YAML = `
plans:
  basic:
    models: [chat-default]
    limits: { requestsPerMinute: 20, concurrentStreams: 1, monthlyTokenBudget: 500000 }
  pro:
    models: [chat-default, premium-model]
    limits: { requestsPerMinute: 60, concurrentStreams: 3, monthlyTokenBudget: 5000000, monthlySpendBudgetUsd: 20 }
baseline:
  models: [chat-default]
  limits: { requestsPerMinute: 5, monthlyTokenBudget: 50000 }
upgrade:
  url: https://example.com/pricing
  contact: Write to billing@example.com
`;

describe('GET /api/plan', () => {
  let t: TestApp;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-overview-'));
    fs.writeFileSync(path.join(dir, 'plans.yaml'), PLANS_YAML);
    t = await buildTestApp({
      adminCliToken: 'plan-overview-token',
      env: {
        LLM_MODELS_JSON: JSON.stringify([
          { id: 'chat-default', label: 'Everyday chat', provider: 'openai' },
          { id: 'premium-model', label: 'Premium thinker', provider: 'anthropic' },
        ]),
        LLM_PLAN_MODELS_FILE: path.join(dir, 'plans.yaml'),
        LLM_BASE_URL: 'http://fake-llm.invalid/v1',
      },
    });
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const setPlan = (email: string, plan: string | null) =>
    t.app.inject({
      method: 'POST',
      url: '/api/admin/users/plan',
      headers: { origin: TEST_ORIGIN, 'x-admin-token': 'plan-overview-token' },
      payload: { email, plan },
    });

  it('shows the free baseline, this month’s use as the usage report counts it, the plans above and the upgrade link', async () => {
    const cookie = await signUp(t.app, 'planner@example.com');
    const me = (await t.app.inject({ method: 'GET', url: '/api/me', headers: as(cookie) })).json();
    await t.database.db.insert(usageRecords).values([
      {
        id: 'u1',
        userId: me.id,
        chatbotId: null,
        kind: 'prompt',
        model: 'chat-default',
        promptTokens: 100,
        completionTokens: 50,
        costUsd: 0.25,
      },
      {
        id: 'u2',
        userId: me.id,
        chatbotId: null,
        kind: 'prompt',
        model: 'chat-default',
        promptTokens: 1000,
        completionTokens: 1000,
        costUsd: 9,
        createdAt: new Date(Date.UTC(2001, 0, 1)),
      },
    ]);
    const response = await t.app.inject({ method: 'GET', url: '/api/plan', headers: as(cookie) });
    expect(response.statusCode).toBe(200);
    const overview = response.json();
    const now = new Date();
    expect(overview).toEqual({
      plan: null,
      models: [{ id: 'chat-default', label: 'Everyday chat' }],
      limits: { requestsPerMinute: 5, monthlyTokenBudget: 50000 },
      usage: {
        month: now.toISOString().slice(0, 7),
        tokens: 150,
        costUsd: 0.25,
        resetsAt: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString(),
      },
      higherPlans: [
        {
          plan: 'basic',
          addedModels: [],
          limits: { requestsPerMinute: 20, concurrentStreams: 1, monthlyTokenBudget: 500000 },
        },
        {
          plan: 'pro',
          addedModels: [{ id: 'premium-model', label: 'Premium thinker' }],
          limits: {
            requestsPerMinute: 60,
            concurrentStreams: 3,
            monthlyTokenBudget: 5000000,
            monthlySpendBudgetUsd: 20,
          },
        },
      ],
      upgrade: { url: 'https://example.com/pricing', contact: 'Write to billing@example.com' },
    });
    const usage = (await t.app.inject({ method: 'GET', url: '/api/usage', headers: as(cookie) })).json();
    expect(overview.usage.tokens).toBe(usage.totals.promptTokens + usage.totals.completionTokens);
    expect(overview.usage.costUsd).toBe(usage.totals.costUsd);
    expect(usage.byModel[0].label).toBe('Everyday chat');
  });

  it('follows a plan change at once: models, limits and the plans above', async () => {
    const cookie = await signUp(t.app, 'upgraded@example.com');
    expect((await setPlan('upgraded@example.com', 'pro')).statusCode).toBe(200);
    const overview = (await t.app.inject({ method: 'GET', url: '/api/plan', headers: as(cookie) })).json();
    expect(overview.plan).toBe('pro');
    expect(overview.models.map((model: { id: string }) => model.id)).toEqual([
      'chat-default',
      'premium-model',
    ]);
    expect(overview.limits.monthlySpendBudgetUsd).toBe(20);
    expect(overview.higherPlans).toEqual([]);
  });

  it('answers 401 without a session', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/plan' })).statusCode).toBe(401);
  });
});
