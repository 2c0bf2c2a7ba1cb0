import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeLlmClient } from '../helpers/fake-llm-client.js';
import { as, buildTestApp, signUp, type TestApp } from '../helpers/build-test-app.js';
import { ADMIN_TOKEN, CACHE_TEST_ENV, cacheTestClient } from './cache-fixtures.js';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
// Far below the caches' TTL (60 s chatbots, 30 s plans): only the Redis announcement can explain it.
const WELL_BEFORE_TTL = { timeout: 2_000, interval: 20 };

/** Two instances of one deployment (one database, one Redis): a change on A reaches B's cache. */
describe('cache invalidation across instances through Redis', () => {
  let a: TestApp;
  let b: TestApp;
  let llmB: FakeLlmClient;
  let onA: ReturnType<typeof cacheTestClient>;
  let onB: ReturnType<typeof cacheTestClient>;

  beforeAll(async () => {
    const env = { ...CACHE_TEST_ENV, REDIS_URL: redisUrl };
    llmB = new FakeLlmClient();
    a = await buildTestApp({ llmClient: new FakeLlmClient(), adminCliToken: ADMIN_TOKEN, env });
    b = await buildTestApp({ llmClient: llmB, adminCliToken: ADMIN_TOKEN, env, database: a.database });
    onA = cacheTestClient(a);
    onB = cacheTestClient(b);
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  const newUser = async (plan: string) => {
    const email = `across-${crypto.randomUUID()}@example.com`;
    const cookie = await signUp(a.app, email);
    await onA.setPlan(email, plan);
    return { email, cookie };
  };

  it('a chatbot edited on A is used as edited by the next chat on B', async () => {
    const { cookie } = await newUser('pro');
    const bot = await onA.createChatbot(cookie, { systemPrompt: 'Before.', model: 'chat-default' });
    expect((await onB.chat(cookie, bot.id)).statusCode).toBe(200); // B now holds the row
    expect(llmB.calls.at(-1)!.messages[0]!.content).toBe('Before.');

    await onA.editChatbot(cookie, bot.id, { systemPrompt: 'After.', model: 'claude-default' });
    await expect
      .poll(async () => {
        await onB.chat(cookie, bot.id);
        const call = llmB.calls.at(-1)!;
        return [call.messages[0]!.content, call.options.model];
      }, WELL_BEFORE_TTL)
      .toEqual(['After.', 'claude-default']);
  });

  it('a chatbot deleted on A cannot be chatted with on B', async () => {
    const { cookie } = await newUser('basic');
    const bot = await onA.createChatbot(cookie);
    expect((await onB.chat(cookie, bot.id)).statusCode).toBe(200);

    const deleted = await a.app.inject({
      method: 'DELETE',
      url: `/api/chatbots/${bot.id}`,
      headers: as(cookie),
    });
    expect(deleted.statusCode).toBe(204);
    await expect.poll(async () => (await onB.chat(cookie, bot.id)).statusCode, WELL_BEFORE_TTL).toBe(404);
  });

  it('a downgrade made on A is enforced by the next chat on B', async () => {
    const { email, cookie } = await newUser('pro');
    const bot = await onA.createChatbot(cookie, { model: 'claude-default' });
    expect((await onB.chat(cookie, bot.id)).statusCode).toBe(200); // B now holds the plan

    await onA.setPlan(email, 'basic');
    await expect
      .poll(async () => (await onB.chat(cookie, bot.id)).json().error?.code, WELL_BEFORE_TTL)
      .toBe('model_not_allowed');
  });
});

/** Several instances without Redis: nothing tells B, so B's copy lives until its TTL. */
describe('two instances without Redis', () => {
  let a: TestApp;
  let b: TestApp;
  let llmB: FakeLlmClient;

  beforeAll(async () => {
    llmB = new FakeLlmClient();
    a = await buildTestApp({ env: CACHE_TEST_ENV });
    b = await buildTestApp({ llmClient: llmB, env: CACHE_TEST_ENV, database: a.database });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('B uses its copy until the TTL; a chatbot deleted meanwhile is a 404, not a failure', async () => {
    const onA = cacheTestClient(a);
    const onB = cacheTestClient(b);
    const cookie = await signUp(a.app, `no-redis-${crypto.randomUUID()}@example.com`);
    const bot = await onA.createChatbot(cookie, { systemPrompt: 'Before.' });
    expect((await onB.chat(cookie, bot.id)).statusCode).toBe(200);

    await onA.editChatbot(cookie, bot.id, { systemPrompt: 'After.' });
    expect((await onB.chat(cookie, bot.id)).statusCode).toBe(200);
    expect(llmB.calls.at(-1)!.messages[0]!.content).toBe('Before.'); // documented: up to 60 s

    const deleted = await a.app.inject({
      method: 'DELETE',
      url: `/api/chatbots/${bot.id}`,
      headers: as(cookie),
    });
    expect(deleted.statusCode).toBe(204);
    const chat = await onB.chat(cookie, bot.id);
    expect(chat.statusCode).toBe(404);
    expect(chat.json().error.message).toBe('Chatbot not found');
    expect((await onB.chat(cookie, bot.id)).statusCode).toBe(404);
  });
});
