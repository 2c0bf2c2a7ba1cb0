import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm } from '@app/mock-llm';
import type { Database } from '../../src/db/database.js';
import { usageRecords } from '../../src/db/schema.js';
import { OpenAICompatibleClient } from '../../src/llm/openai-compatible-client.js';
import { as, buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { createTestDatabase } from '../helpers/test-database.js';
import { userWithChatbot } from '../chat/chat-fixtures.js';
import { deleteKeys, testRedis, TEST_REDIS_URL } from './limits-helpers.js';

// Catalog prices, and an upstream that reports tokens but no cost (streamUsageCost: false).
const LITELLM = `
model_list:
  - model_name: chat-default
    litellm_params: { model: openai/gpt-4.1-mini, api_key: os.environ/OPENAI_API_KEY }
    model_info: { input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 }
`;
const PLANS = `
plans:
  pro: { models: ["*"] }
baseline:
  models: [chat-default]
  limits: { requestsPerMinute: 100000, monthlySpendBudgetUsd: 0.0004, maxTokens: 20 }
`;

type ErrorBody = { error: { code: string; details?: { used: number; needed: number } } };

/**
 * Issue 18 item 3: the ledger stored `costUsd ?? 0` while the budget settled catalog prices, so a
 * month re-read from the ledger was $0 and a USD budget reset on every restart. The ledger now holds
 * the cost the budget counted (flagged `cost_estimated`), so the refusal point survives a restart,
 * a Redis flush and a second instance.
 */
describe('a USD budget without an upstream cost survives a restart', () => {
  let mock: MockLlm;
  let database: Database;
  let dir: string;
  const redis = testRedis();
  const apps: TestApp[] = [];
  let user: { cookie: string; userId: string; chatbotId: string };

  const startApp = async (env: Record<string, string> = {}) => {
    const client = new OpenAICompatibleClient({
      baseURL: mock.url,
      apiKey: 'sk-test',
      defaultModel: 'chat-default',
      timeoutMs: 5_000,
      maxRetries: 0,
    });
    const t = await buildTestApp({
      llmClient: client,
      database,
      env: {
        // Proxy mode, so the LiteLLM file is the catalog (the client itself is given).
        LLM_BASE_URL: mock.url,
        LLM_API_KEY: 'sk-test',
        LITELLM_CONFIG_PATH: path.join(dir, 'litellm.yaml'),
        LLM_PLAN_MODELS_FILE: path.join(dir, 'plans.yaml'),
        ...env,
      },
    });
    apps.push(t);
    return { t, base: await t.app.listen({ port: 0, host: '127.0.0.1' }) };
  };
  const chat = (base: string) =>
    fetch(`${base}/api/chatbots/${user.chatbotId}/chat`, {
      method: 'POST',
      headers: { ...as(user.cookie), 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ message: 'What does a tune-up include? [[mock:deltas=10]]' }),
    });
  /** Chats until refused; returns the turns admitted and the refusal's `used`. */
  const spendUntilRefused = async (base: string) => {
    for (let admitted = 0; admitted < 100; admitted++) {
      const response = await chat(base);
      if (response.status === 429) {
        const body = (await response.json()) as ErrorBody;
        expect(body.error.code).toBe('budget_exceeded');
        return { admitted, used: body.error.details!.used };
      }
      expect(response.status).toBe(200);
    }
    throw new Error('never refused');
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spend-restart-'));
    fs.writeFileSync(path.join(dir, 'litellm.yaml'), LITELLM);
    fs.writeFileSync(path.join(dir, 'plans.yaml'), PLANS);
    mock = await startMockLlm({ streamUsageCost: false });
    database = await createTestDatabase();
  });
  afterAll(async () => {
    if (user) await deleteKeys(redis, `limits:budget:${user.userId}:`);
    redis.disconnect();
    for (const t of apps.reverse()) await t.close();
    await database.close();
    await mock.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses at the same point after a restart (no Redis), a Redis flush and on a second instance', async () => {
    const first = await startApp({ REDIS_URL: TEST_REDIS_URL });
    user = await userWithChatbot(first.t, `spend-${Date.now()}@example.com`);
    const before = await spendUntilRefused(first.base);
    expect(before.admitted).toBeGreaterThan(1);

    // The ledger holds what the budget counted: catalog price × the reported tokens, flagged.
    const rows = await database.db.select().from(usageRecords).where(eq(usageRecords.userId, user.userId));
    expect(rows).toHaveLength(before.admitted);
    for (const row of rows) {
      expect(row.costEstimated).toBe(true);
      expect(row.tokensEstimated).toBe(false);
      expect(row.costUsd).toBeCloseTo(row.promptTokens * 0.000001 + row.completionTokens * 0.000002, 12);
    }
    const ledgerUsd = rows.reduce((sum, row) => sum + row.costUsd, 0);
    expect(before.used).toBeCloseTo(ledgerUsd, 8);

    // Redis flushed, then a second instance on the same database and Redis: re-seeded from the ledger.
    await deleteKeys(redis, `limits:budget:${user.userId}:`);
    const second = await startApp({ REDIS_URL: TEST_REDIS_URL });
    const afterFlush = await spendUntilRefused(second.base);
    expect(afterFlush).toEqual({ admitted: 0, used: expect.closeTo(before.used, 8) as number });

    // A restart without Redis (the process's own counters, seeded from the ledger).
    const third = await startApp();
    const afterRestart = await spendUntilRefused(third.base);
    expect(afterRestart).toEqual({ admitted: 0, used: expect.closeTo(before.used, 8) as number });
  });
});
