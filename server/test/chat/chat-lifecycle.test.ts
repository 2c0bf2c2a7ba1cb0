import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { buildApp } from '../../src/app.js';
import { createAuth } from '../../src/auth/create-auth.js';
import { conversations, messages } from '../../src/db/schema.js';
import { startModelAccess } from '../../src/runtime/model-access.js';
import { as, buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { FakeLlmClient } from '../helpers/fake-llm-client.js';
import { userWithChatbot } from './chat-fixtures.js';
import { SseReader } from './sse-client.js';

/** Start-up recovery and graceful shutdown, through the app's own hooks. */
describe('chat lifecycle', () => {
  let t: TestApp | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
  });

  it('closing the app finalises live answers as interrupted and ends their streams', async () => {
    const llm = new FakeLlmClient().queueStream([
      ...FakeLlmClient.replySteps('partial answer').slice(0, 3),
      { type: 'hang' },
    ]);
    t = await buildTestApp({ llmClient: llm });
    const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const alice = await userWithChatbot(t, 'alice@example.com');
    const response = await fetch(`${base}/api/chatbots/${alice.chatbotId}/chat`, {
      method: 'POST',
      headers: { ...as(alice.cookie), 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'Hi' }),
    });
    const reader = new SseReader(response);
    const meta = (await reader.until('meta'))!.data as { assistantMessageId: string };
    await reader.until('delta');
    const { database } = t;
    const closing = t.app.close();
    const events = await reader.readAll();
    await closing;
    expect(events.at(-1)!.data).toMatchObject({ code: 'service_unavailable' });
    const [row] = await database.db.select().from(messages).where(eq(messages.id, meta.assistantMessageId));
    expect(row).toMatchObject({ status: 'interrupted', content: 'partial answer' });
    await database.close();
    t = null;
  });

  it('at start-up, answers a dead process left streaming become interrupted; fresh ones stay', async () => {
    t = await buildTestApp();
    const alice = await userWithChatbot(t, 'alice@example.com');
    const conversationId = crypto.randomUUID();
    // One answer streams per conversation: the live one is in another conversation.
    const liveConversationId = crypto.randomUUID();
    const old = new Date(Date.now() - 60_000);
    await t.database.db.insert(conversations).values([
      { id: conversationId, chatbotId: alice.chatbotId, userId: alice.userId, title: 'Crashed' },
      { id: liveConversationId, chatbotId: alice.chatbotId, userId: alice.userId, title: 'Live' },
    ]);
    await t.database.db.insert(messages).values([
      {
        id: 'q',
        conversationId,
        role: 'user',
        content: 'Q',
        status: 'complete',
        createdAt: old,
        updatedAt: old,
      },
      {
        id: 'dead',
        conversationId,
        parentId: 'q', // messages form a tree (decision 0009): the answer follows its question
        role: 'assistant',
        content: 'half',
        status: 'streaming',
        createdAt: old,
        updatedAt: old,
      },
      // Another instance still writing: flushed a moment ago.
      {
        id: 'alive',
        conversationId: liveConversationId,
        role: 'assistant',
        content: 'live',
        status: 'streaming',
      },
    ]);
    // A second app instance starting on the same database runs the recovery.
    const models = await startModelAccess(t.config, { info: () => {}, warn: () => {}, error: () => {} });
    const second = await buildApp({
      config: t.config,
      database: t.database,
      auth: createAuth({
        db: t.database.db,
        secret: t.config.auth.secret!,
        baseUrl: t.config.server.appUrl,
        trustedOrigins: t.config.server.trustedOrigins,
        secureCookies: false,
      }),
      llm: {
        client: new FakeLlmClient(),
        mode: 'proxy',
        endpoint: 'http://fake.invalid',
        close: async () => {},
      },
      catalog: models.catalog,
      plans: models.plans,
      spaDir: null,
      adminCliToken: null,
    });
    await second.ready();
    try {
      const statusesOf = async (id: string) => {
        const response = await second.inject({
          method: 'GET',
          url: `/api/conversations/${id}`,
          headers: as(alice.cookie),
        });
        return Object.fromEntries(
          (response.json().messages as Array<{ id: string; status: string }>).map((message) => [
            message.id,
            message.status,
          ]),
        );
      };
      let statuses: Record<string, string> = {};
      for (let attempt = 0; attempt < 100 && statuses.dead !== 'interrupted'; attempt++) {
        statuses = await statusesOf(conversationId);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(statuses).toEqual({ q: 'complete', dead: 'interrupted' });
      expect(await statusesOf(liveConversationId)).toEqual({ alive: 'streaming' });
    } finally {
      await second.close();
      await models.close();
    }
  });
});
