import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm } from '@app/mock-llm';
import type { ConversationWithMessages } from '@app/common';
import { OpenAICompatibleClient } from '../../src/llm/openai-compatible-client.js';
import { as, buildTestApp, signUp, type TestApp } from '../helpers/build-test-app.js';
import { LiveReader, openLive, postChat, storedMessage, waitUntil } from './live-reader.js';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Two instances of one deployment (one database, PostgreSQL when TEST_DATABASE_URL is set, and one
 * Redis): the run lives on A, its viewers may be on B and are fed through Redis.
 */
describe('a run on instance A, viewed on instance B', () => {
  let mock: MockLlm;
  let a: TestApp;
  let b: TestApp;
  let baseA: string;
  let baseB: string;
  let cookie: string;
  let chatbotId: string;

  beforeAll(async () => {
    mock = await startMockLlm({ interTokenMs: 2 });
    const client = () =>
      new OpenAICompatibleClient({
        baseURL: mock.url,
        apiKey: 'sk-test',
        defaultModel: 'chat-default',
        timeoutMs: 5_000,
        maxRetries: 0,
      });
    const env = { REDIS_URL: redisUrl, NODE_ENV: 'test', RATE_LIMIT_DEFAULT_PER_MINUTE: '100000' };
    a = await buildTestApp({ llmClient: client(), env });
    b = await buildTestApp({ llmClient: client(), env, database: a.database });
    baseA = await a.app.listen({ port: 0, host: '127.0.0.1' });
    baseB = await b.app.listen({ port: 0, host: '127.0.0.1' });
    cookie = await signUp(a.app, `runs-${crypto.randomUUID()}@example.com`);
    const bot = await a.app.inject({
      method: 'POST',
      url: '/api/chatbots',
      headers: as(cookie),
      payload: { name: 'x' },
    });
    chatbotId = bot.json().id;
  });
  afterAll(async () => {
    await b.close();
    await a.close();
    await mock.close();
  });

  it('a late viewer on B gets the text so far, then the rest: no duplicate, no gap', async () => {
    const controller = new AbortController();
    const started = new LiveReader(
      await postChat(baseA, cookie, chatbotId, 'Long one [[mock:deltas=150,slow=10]]', {
        signal: controller.signal,
      }),
    );
    const meta = (await started.next('meta')).data as { conversationId: string; assistantMessageId: string };
    await started.until(() => started.events.filter((event) => event.event === 'delta').length >= 5);
    controller.abort();
    await started.cancel();
    // Leave the answer streaming for a while before B looks (its shared text grows meanwhile).
    await new Promise((resolve) => setTimeout(resolve, 150));

    const read = await b.app.inject({
      method: 'GET',
      url: `/api/conversations/${meta.conversationId}`,
      headers: as(cookie),
    });
    const conversation = read.json() as ConversationWithMessages;
    expect(conversation.live).toMatchObject({ assistantMessageId: meta.assistantMessageId });
    const readText = conversation.messages.find((message) => message.id === meta.assistantMessageId)!.content;
    expect(conversation.live!.seq).toBe(readText.length);
    expect(readText.length).toBeGreaterThan(0);

    const fromRead = await openLive(baseB, cookie, meta.conversationId, {
      after: conversation.live!.seq,
      assistantMessageId: meta.assistantMessageId,
    });
    const fromStart = await openLive(baseB, cookie, meta.conversationId);
    expect((await fromRead.next('meta')).data.seq).toBe(readText.length);
    expect((await fromStart.next('meta')).data.seq).toBe(0);
    for (const viewer of [fromRead, fromStart]) expect((await viewer.end()).event).toBe('done');
    const row = (await storedMessage(a, meta.assistantMessageId))!;
    expect(row.status).toBe('complete');
    expect(readText + fromRead.textBetween(0, undefined, readText.length)).toBe(row.content);
    expect(fromStart.textBetween(0)).toBe(row.content);
    // B relayed coalesced pieces, not one event per upstream delta.
    expect(fromStart.events.filter((event) => event.event === 'delta').length).toBeLessThan(150);
    for (const viewer of [fromRead, fromStart]) await viewer.cancel();
  });

  it('a viewer on B sees a turn started on A announced, then its whole answer', async () => {
    const first = new LiveReader(await postChat(baseA, cookie, chatbotId, 'Hi'));
    const { conversationId } = (await first.next('meta')).data as { conversationId: string };
    await first.end();
    // A tells the others of the end just after its own viewers: wait until B's read has it too.
    await waitUntil(async () => {
      const read = await b.app.inject({
        method: 'GET',
        url: `/api/conversations/${conversationId}`,
        headers: as(cookie),
      });
      return (read.json() as ConversationWithMessages).live === null;
    });
    const onB = await openLive(baseB, cookie, conversationId);
    expect((await onB.next('ready')).data).toMatchObject({ live: null });

    const sent = new LiveReader(
      await postChat(baseA, cookie, chatbotId, 'Next [[mock:deltas=30,slow=5]]', { conversationId }),
    );
    const meta = (await sent.next('meta')).data as { assistantMessageId: string; userMessageId: string };
    await sent.end();
    const turn = await onB.next('turn');
    expect(turn.data).toMatchObject({
      userMessage: { id: meta.userMessageId, content: 'Next [[mock:deltas=30,slow=5]]' },
      assistantMessage: { id: meta.assistantMessageId, status: 'streaming' },
    });
    const end = await onB.end(onB.events.indexOf(turn));
    expect(end).toMatchObject({ event: 'done', data: { assistantMessageId: meta.assistantMessageId } });
    const row = (await storedMessage(a, meta.assistantMessageId))!;
    expect(onB.textBetween(onB.events.indexOf(turn))).toBe(row.content);
    expect(end.data.seq).toBe(row.content.length);
    await onB.cancel();
  });
});
