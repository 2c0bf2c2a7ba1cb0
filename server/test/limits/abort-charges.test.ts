import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm } from '@app/mock-llm';
import { messages, usageRecords } from '../../src/db/schema.js';
import { OpenAICompatibleClient } from '../../src/llm/openai-compatible-client.js';
import { budgetMonthOf } from '../../src/services/limits/budget-month.js';
import { as, buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { userWithChatbot } from '../chat/chat-fixtures.js';
import { SseReader } from '../chat/sse-client.js';
import { deleteKeys, testRedis, TEST_REDIS_URL } from './limits-helpers.js';

// A token budget, so every call goes through the budget counters (Redis here).
const PLANS = `
plans:
  pro: { models: ["*"] }
baseline:
  models: [chat-default, prompt-helper]
  limits: { requestsPerMinute: 100000, monthlyTokenBudget: 10000000, maxTokens: 50 }
`;

/**
 * Issue 18 item 2: a turn stopped before its first token still sent its whole prompt upstream. Every
 * request that reached the upstream is charged at least its prompt tokens (counted with the
 * tokenizer), in the ledger and in the budget counter alike; one refused before sending is not.
 */
describe('calls stopped before their first token are charged', () => {
  let mock: MockLlm;
  let t: TestApp;
  let base: string;
  let dir: string;
  const redis = testRedis();
  let user: { cookie: string; userId: string; chatbotId: string };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abort-charges-'));
    fs.writeFileSync(path.join(dir, 'plans.yaml'), PLANS);
    mock = await startMockLlm({ interTokenMs: 5 });
    const client = new OpenAICompatibleClient({
      baseURL: mock.url,
      apiKey: 'sk-test',
      defaultModel: 'chat-default',
      timeoutMs: 10_000,
      maxRetries: 0,
    });
    t = await buildTestApp({
      llmClient: client,
      env: { LLM_PLAN_MODELS_FILE: path.join(dir, 'plans.yaml'), REDIS_URL: TEST_REDIS_URL },
    });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    user = await userWithChatbot(t, `aborts-${Date.now()}@example.com`, {
      // A long system prompt, as in the audit (≈ 2,800 prompt tokens a turn).
      systemPrompt: 'You are a meticulous assistant for a bicycle shop. '.repeat(200),
    });
  });
  afterAll(async () => {
    if (user) await deleteKeys(redis, `limits:budget:${user.userId}:`);
    redis.disconnect();
    await t.close();
    await mock.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const ledger = () => t.database.db.select().from(usageRecords).where(eq(usageRecords.userId, user.userId));
  const spentCounter = async () => {
    const key = `limits:budget:${user.userId}:${budgetMonthOf(new Date()).id}:spent`;
    return Number((await redis.hget(key, 'tokens')) ?? 0);
  };

  it('charges 10 turns stopped right after `meta` (before any delta) their prompt, in the ledger and the counter', async () => {
    const before = await spentCounter();
    const turns = await Promise.all(
      Array.from({ length: 10 }, async (_, index) => {
        const caller = new AbortController();
        // The first token takes 3 s: `meta` comes first (the stream is committed after 1.5 s).
        const response = await fetch(`${base}/api/chatbots/${user.chatbotId}/chat`, {
          method: 'POST',
          headers: { ...as(user.cookie), 'content-type': 'application/json' },
          body: JSON.stringify({ message: `Question ${index} [[mock:ttft=3000]]` }),
          signal: caller.signal,
        });
        const reader = new SseReader(response);
        const meta = (await reader.until('meta'))!.data as { assistantMessageId: string };
        expect(reader.events.some((event) => event.event === 'delta')).toBe(false);
        // Stop (leaving would only detach: the answer would run on, issue 20).
        const stop = await fetch(`${base}/api/messages/${meta.assistantMessageId}/stop`, {
          method: 'POST',
          headers: as(user.cookie),
        });
        expect(stop.status).toBe(202);
        caller.abort();
        return meta.assistantMessageId;
      }),
    );
    const rowOf = async (id: string) =>
      (await t.database.db.select().from(messages).where(eq(messages.id, id)))[0];
    await expect.poll(async () => (await ledger()).length, { timeout: 10_000 }).toBe(10);
    for (const id of turns) {
      expect(await rowOf(id)).toMatchObject({ status: 'stopped', content: '' });
      expect((await rowOf(id))!.promptTokens).toBeGreaterThan(2_000);
    }
    const rows = await ledger();
    for (const row of rows) {
      expect(row).toMatchObject({
        kind: 'chat',
        completionTokens: 0,
        tokensEstimated: true,
        costEstimated: true,
      });
      expect(row.promptTokens).toBeGreaterThan(2_000);
    }
    const charged = rows.reduce((sum, row) => sum + row.promptTokens + row.completionTokens, 0);
    // The budget counter moved by exactly what the ledger holds (the same charge, settled).
    await expect.poll(spentCounter).toBe(before + charged);
    expect(mock.requests.filter((request) => request.path.endsWith('/chat/completions'))).toHaveLength(10);
  });

  it('charges a prompt generation the client abandoned while the upstream was working', async () => {
    const caller = new AbortController();
    const started = mock.requests.length;
    const pending = fetch(`${base}/api/prompts/generate`, {
      method: 'POST',
      headers: { ...as(user.cookie), 'content-type': 'application/json' },
      body: JSON.stringify({ description: 'Answers questions about our bike shop [[mock:ttft=3000]]' }),
      signal: caller.signal,
    }).catch((error: unknown) => error);
    await expect.poll(() => mock.requests.length).toBe(started + 1);
    caller.abort();
    await pending;
    await expect
      .poll(async () => (await ledger()).filter((row) => row.kind === 'prompt'), { timeout: 5_000 })
      .toEqual([
        expect.objectContaining({
          model: 'prompt-helper',
          completionTokens: 0,
          tokensEstimated: true,
          costEstimated: true,
        }),
      ]);
    const [row] = (await ledger()).filter((record) => record.kind === 'prompt');
    expect(row!.promptTokens).toBeGreaterThan(50);
  });

  it('charges nothing for a request the upstream refused with an error before any output', async () => {
    const before = (await ledger()).length;
    const response = await fetch(`${base}/api/chatbots/${user.chatbotId}/chat`, {
      method: 'POST',
      headers: { ...as(user.cookie), 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ message: 'Refused [[mock:status=400]]' }),
    });
    expect(response.status).toBe(400);
    expect((await ledger()).length).toBe(before);
  });
});
