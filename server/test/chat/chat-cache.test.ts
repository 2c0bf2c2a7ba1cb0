import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscriptions } from '../../src/db/schema.js';
import { FakeLlmClient } from '../helpers/fake-llm-client.js';
import { as, buildTestApp, signUp, type TestApp } from '../helpers/build-test-app.js';
import { recordQueries } from '../helpers/query-log.js';
import { createTestDatabase } from '../helpers/test-database.js';
import { ADMIN_TOKEN, CACHE_TEST_ENV, cacheTestClient } from './cache-fixtures.js';

/** The chat path serves chatbot rows and plans from memory; every change applies on the next turn. */
describe('chatbot and plan caches on the chat path', () => {
  let t: TestApp;
  let llm: FakeLlmClient;
  let queries: ReturnType<typeof recordQueries>;
  let client: ReturnType<typeof cacheTestClient>;

  beforeAll(async () => {
    llm = new FakeLlmClient();
    const database = await createTestDatabase();
    queries = recordQueries(database);
    t = await buildTestApp({ llmClient: llm, adminCliToken: ADMIN_TOKEN, env: CACHE_TEST_ENV, database });
    client = cacheTestClient(t);
  });
  afterAll(async () => {
    await t.close();
    await t.database.close();
  });

  const newUser = async (plan: string | null) => {
    const email = `cache-${crypto.randomUUID()}@example.com`;
    const cookie = await signUp(t.app, email);
    if (plan) await client.setPlan(email, plan);
    return { email, cookie, userId: await client.userId(cookie) };
  };
  const lastCall = () => llm.calls.at(-1)!;

  it('uses an edited system prompt and model on the very next chat', async () => {
    const { cookie } = await newUser('pro');
    const bot = await client.createChatbot(cookie, { systemPrompt: 'You are v1.', model: 'chat-default' });
    expect((await client.chat(cookie, bot.id)).statusCode).toBe(200);
    expect(lastCall().messages[0]).toEqual({ role: 'system', content: 'You are v1.' });

    await client.editChatbot(cookie, bot.id, { systemPrompt: 'You are v2.', model: 'claude-default' });
    const chat = await client.chat(cookie, bot.id);
    expect(chat.statusCode).toBe(200);
    expect(lastCall().messages[0]).toEqual({ role: 'system', content: 'You are v2.' });
    expect(lastCall().options.model).toBe('claude-default');

    // Regenerate takes the chatbot from the same cache.
    await client.editChatbot(cookie, bot.id, { systemPrompt: 'You are v3.' });
    const again = await t.app.inject({
      method: 'POST',
      url: `/api/conversations/${chat.json().conversationId}/regenerate`,
      headers: { ...as(cookie), accept: 'application/json' },
    });
    expect(again.statusCode).toBe(200);
    expect(lastCall().messages[0]).toEqual({ role: 'system', content: 'You are v3.' });
  });

  it('reads neither the chatbot nor the plan from the database once warm', async () => {
    const { cookie } = await newUser('pro');
    const bot = await client.createChatbot(cookie, { model: 'claude-default' });
    queries.clear();
    expect((await client.chat(cookie, bot.id)).statusCode).toBe(200);
    expect(queries.readsOf('chatbots')).toBe(1);
    expect(queries.readsOf('subscriptions')).toBe(0); // read when the chatbot was created

    queries.clear();
    expect((await client.chat(cookie, bot.id)).statusCode).toBe(200);
    expect(queries.readsOf('chatbots')).toBe(0);
    expect(queries.readsOf('subscriptions')).toBe(0);
  });

  it('writes the starts of turns that arrive together in one statement, every turn complete', async () => {
    const { cookie } = await newUser('pro');
    const bot = await client.createChatbot(cookie, { model: 'claude-default' });
    expect((await client.chat(cookie, bot.id)).statusCode).toBe(200); // session and caches warm
    queries.clear();
    const answers = await Promise.all(
      ['one', 'two', 'three'].map((text) => client.chat(cookie, bot.id, text)),
    );
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200]);
    // One statement for the three (two if a slow machine lets the first one leave alone).
    expect([1, 2]).toContain(queries.count('with turn as'));
    for (const answer of answers) {
      const conversation = await t.app.inject({
        method: 'GET',
        url: `/api/conversations/${answer.json().conversationId}`,
        headers: as(cookie),
      });
      expect(conversation.json().messages.map((m: { status: string }) => m.status)).toEqual([
        'complete',
        'complete',
      ]);
    }
  });

  it('refuses a deleted chatbot at once', async () => {
    const { cookie } = await newUser(null);
    const bot = await client.createChatbot(cookie);
    expect((await client.chat(cookie, bot.id)).statusCode).toBe(200);
    const deleted = await t.app.inject({
      method: 'DELETE',
      url: `/api/chatbots/${bot.id}`,
      headers: as(cookie),
    });
    expect(deleted.statusCode).toBe(204);
    const calls = llm.calls.length;
    const chat = await client.chat(cookie, bot.id);
    expect(chat.statusCode).toBe(404);
    expect(chat.json().error.code).toBe('not_found');
    expect(llm.calls.length).toBe(calls);
  });

  it("answers 404 for another user's chatbot even while it is cached", async () => {
    const owner = await newUser(null);
    const other = await newUser(null);
    const bot = await client.createChatbot(owner.cookie);
    expect((await client.chat(owner.cookie, bot.id)).statusCode).toBe(200);

    const calls = llm.calls.length;
    const stolen = await client.chat(other.cookie, bot.id);
    const missing = await client.chat(other.cookie, crypto.randomUUID());
    expect(stolen.statusCode).toBe(404);
    expect(stolen.json().error).toEqual(missing.json().error);
    expect(llm.calls.length).toBe(calls);
  });

  it('applies a downgrade (and an upgrade) through the admin API on the next chat', async () => {
    const { email, cookie } = await newUser('pro');
    const bot = await client.createChatbot(cookie, { model: 'claude-default' });
    expect((await client.chat(cookie, bot.id)).statusCode).toBe(200);

    await client.setPlan(email, 'basic');
    const calls = llm.calls.length;
    const refused = await client.chat(cookie, bot.id);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('model_not_allowed');
    expect(llm.calls.length).toBe(calls);

    await client.setPlan(email, 'pro');
    expect((await client.chat(cookie, bot.id)).statusCode).toBe(200);
  });

  it('treats a subscription whose period has ended as no plan, without waiting for the TTL', async () => {
    const { cookie, userId } = await newUser('pro');
    // As a billing job would: straight into the table, the period ending a second from now.
    const periodEnd = new Date(Date.now() + 1_000);
    await t.database.db
      .update(subscriptions)
      .set({ currentPeriodEnd: periodEnd })
      .where(eq(subscriptions.userId, userId));
    const bot = await client.createChatbot(cookie, { model: 'claude-default' });
    expect((await client.chat(cookie, bot.id)).statusCode).toBe(200);

    await sleep(Math.max(0, periodEnd.getTime() - Date.now()) + 20);
    queries.clear();
    const refused = await client.chat(cookie, bot.id);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('model_not_allowed');
    expect(queries.readsOf('subscriptions')).toBe(0);
  });
});
