import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageRecords } from '../../src/db/schema.js';
import { as, buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { FakeLlmClient } from '../helpers/fake-llm-client.js';
import { userWithChatbot } from '../chat/chat-fixtures.js';

describe('GET /api/usage', () => {
  let t: TestApp;
  let llm: FakeLlmClient;

  beforeAll(async () => {
    llm = new FakeLlmClient();
    t = await buildTestApp({ llmClient: llm });
  });
  afterAll(() => t.close());

  it("reports this month's tokens and cost per model and chatbot, and survives deletions", async () => {
    const alice = await userWithChatbot(t, 'alice@example.com');
    const bob = await userWithChatbot(t, 'bob@example.com');
    llm
      .queueText('One two three', { costUsd: 0.001 })
      .queueText('Four five', { costUsd: 0.002 })
      .queueText('Bob');
    const chat = (who: { cookie: string; chatbotId: string }, message: string) =>
      t.app.inject({
        method: 'POST',
        url: `/api/chatbots/${who.chatbotId}/chat`,
        headers: { ...as(who.cookie), accept: 'application/json' },
        payload: { message },
      });
    const first = (await chat(alice, 'a')).json();
    await chat(alice, 'b');
    await chat(bob, 'c');
    llm.queueGenerate({
      usage: { promptTokens: 50, completionTokens: 20 },
      costUsd: 0.0005,
      text: 'You are nice.',
    });
    await t.app.inject({
      method: 'POST',
      url: '/api/prompts/generate',
      headers: as(alice.cookie),
      payload: { description: 'A nice bot' },
    });
    // Last month's spend does not count.
    await t.database.db.insert(usageRecords).values({
      id: 'old',
      userId: alice.userId,
      chatbotId: alice.chatbotId,
      kind: 'chat',
      model: 'chat-default',
      promptTokens: 1000,
      completionTokens: 1000,
      costUsd: 5,
      createdAt: new Date(Date.UTC(2000, 0, 15)),
    });
    await t.app.inject({
      method: 'DELETE',
      url: `/api/conversations/${first.conversationId}`,
      headers: as(alice.cookie),
    });

    const response = await t.app.inject({ method: 'GET', url: '/api/usage', headers: as(alice.cookie) });
    expect(response.statusCode).toBe(200);
    const report = response.json();
    expect(report.month).toBe(new Date().toISOString().slice(0, 7));
    expect(report.totals).toEqual({ promptTokens: 70, completionTokens: 25, costUsd: 0.0035, messages: 3 });
    expect(report.byModel).toEqual([
      {
        model: 'chat-default',
        label: expect.any(String),
        promptTokens: 20,
        completionTokens: 5,
        costUsd: 0.003,
        messages: 2,
      },
      {
        model: 'prompt-helper',
        label: expect.any(String),
        promptTokens: 50,
        completionTokens: 20,
        costUsd: 0.0005,
        messages: 1,
      },
    ]);
    const today = new Date().toISOString().slice(0, 10);
    expect(report.days).toEqual([{ date: today, ...report.totals }]);
    expect(report.byChatbot).toEqual([
      {
        chatbotId: alice.chatbotId,
        name: 'Helper',
        deleted: false,
        promptTokens: 20,
        completionTokens: 5,
        costUsd: 0.003,
        messages: 2,
      },
    ]);
    const bobs = (await t.app.inject({ method: 'GET', url: '/api/usage', headers: as(bob.cookie) })).json();
    expect(bobs.totals.messages).toBe(1);
    expect((await t.app.inject({ method: 'GET', url: '/api/usage' })).statusCode).toBe(401);

    // An earlier month, chosen with ?month=.
    const january = (
      await t.app.inject({ method: 'GET', url: '/api/usage?month=2000-01', headers: as(alice.cookie) })
    ).json();
    expect(january.month).toBe('2000-01');
    expect(january.totals).toEqual({ promptTokens: 1000, completionTokens: 1000, costUsd: 5, messages: 1 });
    expect(january.days).toEqual([{ date: '2000-01-15', ...january.totals }]);
    const bad = await t.app.inject({
      method: 'GET',
      url: '/api/usage?month=2000-13',
      headers: as(alice.cookie),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Choose a month as YYYY-MM');

    // A deleted chatbot keeps its usage, flagged deleted.
    await t.app.inject({
      method: 'DELETE',
      url: `/api/chatbots/${alice.chatbotId}`,
      headers: as(alice.cookie),
    });
    const after = (
      await t.app.inject({ method: 'GET', url: '/api/usage', headers: as(alice.cookie) })
    ).json();
    expect(after.byChatbot).toEqual([
      expect.objectContaining({
        chatbotId: alice.chatbotId,
        name: 'Deleted chatbot',
        deleted: true,
        messages: 2,
      }),
    ]);
    expect(after.totals).toEqual(report.totals);
  });
});
