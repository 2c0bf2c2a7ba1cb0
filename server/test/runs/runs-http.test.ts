import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startMockLlm, type MockLlm } from '@app/mock-llm';
import type { ConversationWithMessages } from '@app/common';
import { OpenAICompatibleClient } from '../../src/llm/openai-compatible-client.js';
import { usageRecords } from '../../src/db/schema.js';
import { as, buildTestApp, signUp, type TestApp } from '../helpers/build-test-app.js';
import { userWithChatbot } from '../chat/chat-fixtures.js';
import { LiveReader, openLive, postChat, storedMessage, waitUntil } from './live-reader.js';

/**
 * Issue 20: answers are runs, not requests. Over real HTTP, through the real client, to the mock
 * upstream: leaving detaches, a late viewer gets exactly what it lacks, several viewers see the
 * same answer and every new turn.
 */
describe('answers as runs over HTTP', () => {
  let mock: MockLlm;
  let t: TestApp;
  let base: string;
  let alice: { cookie: string; userId: string; chatbotId: string };

  beforeAll(async () => {
    mock = await startMockLlm({ interTokenMs: 2 });
    const client = new OpenAICompatibleClient({
      baseURL: mock.url,
      apiKey: 'sk-test',
      defaultModel: 'chat-default',
      timeoutMs: 2_000,
      maxRetries: 0,
    });
    t = await buildTestApp({ llmClient: client, env: { RATE_LIMIT_DEFAULT_PER_MINUTE: '100000' } });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    alice = await userWithChatbot(t, 'alice@example.com');
  });
  afterAll(async () => {
    await t.close();
    await mock.close();
  });
  beforeEach(() => mock.reset());

  const read = async (conversationId: string, cookie = alice.cookie) => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/conversations/${conversationId}`,
      headers: as(cookie),
    });
    return { status: response.statusCode, body: response.json() as ConversationWithMessages };
  };

  /** Starts a slow answer and leaves after `deltas` of it: returns what the client had. */
  async function startAndLeave(message: string, deltas: number, conversationId?: string) {
    const controller = new AbortController();
    const response = await postChat(base, alice.cookie, alice.chatbotId, message, {
      signal: controller.signal,
      ...(conversationId ? { conversationId } : {}),
    });
    const reader = new LiveReader(response);
    const meta = (await reader.next('meta')).data as { conversationId: string; assistantMessageId: string };
    await reader.until(() => reader.events.filter((event) => event.event === 'delta').length >= deltas);
    controller.abort();
    await reader.cancel();
    const text = reader.textBetween(0);
    return { meta, text, seq: text.length };
  }

  it('a client that leaves mid-answer only detaches: the run ends complete, stored in full and billed', async () => {
    const { meta, text } = await startAndLeave('Tell me everything [[mock:deltas=200,slow=5]]', 3);
    expect(text.length).toBeGreaterThan(0);
    await waitUntil(async () => (await storedMessage(t, meta.assistantMessageId))?.status !== 'streaming');
    const row = (await storedMessage(t, meta.assistantMessageId))!;
    expect(row).toMatchObject({ status: 'complete', finishReason: 'stop' });
    expect(row.content.startsWith(text)).toBe(true);
    expect(row.content.length).toBeGreaterThan(text.length);
    // The upstream call was never cut: it answered to its end.
    expect(mock.clientsGone).toEqual([]);
    const [usage] = await t.database.db
      .select()
      .from(usageRecords)
      .where(eq(usageRecords.chatbotId, alice.chatbotId));
    expect(usage).toBeDefined();
    const charged = await t.database.db.select().from(usageRecords);
    expect(charged.some((record) => record.completionTokens > 0)).toBe(true);
  });

  it('re-attaching with after=seq gets exactly the missing part: no duplicate, no gap', async () => {
    const { meta, text, seq } = await startAndLeave('Again [[mock:deltas=150,slow=10]]', 5);
    // The read says the answer is live, and where its content stands.
    const { body } = await read(meta.conversationId);
    expect(body.live).toEqual({ assistantMessageId: meta.assistantMessageId, seq: expect.any(Number) });
    const readText = body.messages.find((message) => message.id === meta.assistantMessageId)!.content;
    expect(body.live!.seq).toBe(readText.length);
    expect(readText.startsWith(text)).toBe(true);

    // One viewer continues from what the POST had shown, one from the read.
    const fromPost = await openLive(base, alice.cookie, meta.conversationId, {
      after: seq,
      assistantMessageId: meta.assistantMessageId,
    });
    const fromRead = await openLive(base, alice.cookie, meta.conversationId, {
      after: body.live!.seq,
      assistantMessageId: meta.assistantMessageId,
    });
    for (const [viewer, had] of [
      [fromPost, text],
      [fromRead, readText],
    ] as const) {
      const ready = await viewer.next('ready');
      expect(ready.data.live).toMatchObject({ assistantMessageId: meta.assistantMessageId });
      const resumed = await viewer.next('meta');
      expect(resumed.data).toMatchObject({ assistantMessageId: meta.assistantMessageId, seq: had.length });
      const end = await viewer.end();
      expect(end.event).toBe('done');
      const missing = viewer.textBetween(0, undefined, had.length);
      const row = (await storedMessage(t, meta.assistantMessageId))!;
      expect(row.status).toBe('complete');
      expect(had + missing).toBe(row.content);
      expect(end.data.seq).toBe(row.content.length);
      // The buffered text first, as one piece (coalesced), then live deltas.
      expect(viewer.events.filter((event) => event.event === 'delta').length).toBeLessThan(150);
      await viewer.cancel();
    }
  });

  it('two viewers see the same live answer and a turn started elsewhere, announced first', async () => {
    const first = await postChat(base, alice.cookie, alice.chatbotId, 'Hello');
    const firstEvents = new LiveReader(first);
    const { conversationId } = (await firstEvents.next('meta')).data as { conversationId: string };
    await firstEvents.end();
    const tabs = [
      await openLive(base, alice.cookie, conversationId),
      await openLive(base, alice.cookie, conversationId),
    ];
    for (const tab of tabs)
      expect((await tab.next('ready')).data).toMatchObject({ conversationId, live: null });

    // Tab A sends; tabs B and C only watch.
    const sent = new LiveReader(
      await postChat(base, alice.cookie, alice.chatbotId, 'More please [[mock:deltas=40,slow=5]]', {
        conversationId,
      }),
    );
    const meta = (await sent.next('meta')).data as { assistantMessageId: string; userMessageId: string };
    await sent.end();
    const row = (await storedMessage(t, meta.assistantMessageId))!;
    for (const tab of tabs) {
      const turn = await tab.next('turn');
      expect(turn.data).toMatchObject({
        conversationId,
        userMessage: {
          id: meta.userMessageId,
          role: 'user',
          content: 'More please [[mock:deltas=40,slow=5]]',
        },
        assistantMessage: {
          id: meta.assistantMessageId,
          role: 'assistant',
          status: 'streaming',
          content: '',
        },
        removedMessageIds: [],
      });
      const turnAt = tab.events.indexOf(turn);
      expect(tab.events[turnAt + 1]).toMatchObject({ event: 'meta', data: { seq: 0 } });
      const end = await tab.end(turnAt);
      expect(end).toMatchObject({ event: 'done', data: { assistantMessageId: meta.assistantMessageId } });
      expect(tab.textBetween(turnAt)).toBe(row.content);
    }
    // The stream stays open for the next turn.
    expect(tabs.every((tab) => !tab.ended)).toBe(true);
    for (const tab of tabs) await tab.cancel();
  });

  it('Stop from any tab ends the run for every viewer; the conversation read then has no live run', async () => {
    const { meta } = await startAndLeave('Stop me [[mock:endless,slow=5]]', 2);
    const viewer = await openLive(base, alice.cookie, meta.conversationId);
    await viewer.next('meta');
    const stop = await fetch(`${base}/api/messages/${meta.assistantMessageId}/stop`, {
      method: 'POST',
      headers: as(alice.cookie),
    });
    expect(await stop.json()).toEqual({ stopped: true });
    const end = await viewer.end();
    expect(end.data).toMatchObject({ code: 'aborted' });
    const row = (await storedMessage(t, meta.assistantMessageId))!;
    expect(row.status).toBe('stopped');
    expect(viewer.textBetween(0)).toBe(row.content);
    expect((await read(meta.conversationId)).body.live).toBeNull();
    await viewer.cancel();
  });

  it('a run nobody watches still ends by its timeout, saved and billed', async () => {
    const timed = await buildTestApp({
      llmClient: new OpenAICompatibleClient({
        baseURL: mock.url,
        apiKey: 'sk-test',
        defaultModel: 'chat-default',
        timeoutMs: 2_000,
        maxRetries: 0,
      }),
      env: { CHAT_MAX_TURN_MS: '1000' },
    });
    try {
      const timedBase = await timed.app.listen({ port: 0, host: '127.0.0.1' });
      const bob = await userWithChatbot(timed, 'bob@example.com');
      const controller = new AbortController();
      const response = await postChat(
        timedBase,
        bob.cookie,
        bob.chatbotId,
        'Forever [[mock:endless,slow=5]]',
        {
          signal: controller.signal,
        },
      );
      const reader = new LiveReader(response);
      const meta = (await reader.next('meta')).data as { assistantMessageId: string };
      await reader.next('delta');
      controller.abort();
      await waitUntil(
        async () => (await storedMessage(timed, meta.assistantMessageId))?.status !== 'streaming',
      );
      expect(await storedMessage(timed, meta.assistantMessageId)).toMatchObject({
        status: 'error',
        errorCode: 'timeout',
      });
      const charged = await timed.database.db.select().from(usageRecords);
      expect(charged).toHaveLength(1);
      expect(charged[0]!.completionTokens).toBeGreaterThan(0);
    } finally {
      await timed.close();
    }
  });

  it("the live route and the read's live field are in the OpenAPI document", async () => {
    const document = (await t.app.inject('/api/openapi.json')).json() as {
      paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }> }>>;
    };
    const live = document.paths['/api/conversations/{id}/live']?.get;
    expect(live).toBeDefined();
    expect(live!.parameters!.map((parameter) => `${parameter.in}:${parameter.name}`).sort()).toEqual([
      'path:id',
      'query:after',
      'query:assistantMessageId',
    ]);
    const read = JSON.stringify(document.paths['/api/conversations/{id}']?.get);
    expect(read).toContain('"live"');
    expect(read).toContain('assistantMessageId');
  });

  it("another user's conversation answers 404, as an unknown one", async () => {
    const { meta } = await startAndLeave('Mine [[mock:deltas=20,slow=5]]', 1);
    const mallory = await signUp(t.app, 'mallory@example.com');
    for (const [cookie, id] of [
      [mallory, meta.conversationId],
      [alice.cookie, 'no-such-conversation'],
    ] as const) {
      const response = await fetch(`${base}/api/conversations/${id}/live`, { headers: as(cookie) });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
    }
    expect((await read(meta.conversationId, mallory)).status).toBe(404);
    await waitUntil(async () => (await storedMessage(t, meta.assistantMessageId))?.status === 'complete');
  });
});
