import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startMockLlm, type MockLlm } from '@app/mock-llm';
import type { ChatTurnResult } from '@app/common';
import { OpenAICompatibleClient } from '../../src/llm/openai-compatible-client.js';
import { messages, usageRecords } from '../../src/db/schema.js';
import { as, buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { userWithChatbot, waitFor } from './chat-fixtures.js';
import { SSE_FRAMING, SseReader } from './sse-client.js';

/** The chat endpoint over real HTTP, through the real OpenAI-compatible client, to the mock upstream. */
describe('POST /api/chatbots/:id/chat over HTTP', () => {
  let mock: MockLlm;
  let t: TestApp;
  let base: string;
  let alice: { cookie: string; userId: string; chatbotId: string };

  beforeAll(async () => {
    mock = await startMockLlm({
      interTokenMs: 2,
      models: [{ id: 'chat-default', inputCostPerToken: 0.000001, outputCostPerToken: 0.000002 }],
    });
    const client = new OpenAICompatibleClient({
      baseURL: mock.url,
      apiKey: 'sk-test',
      defaultModel: 'chat-default',
      timeoutMs: 400,
      maxRetries: 0,
    });
    t = await buildTestApp({ llmClient: client });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    alice = await userWithChatbot(t, 'alice@example.com');
  });
  afterAll(async () => {
    await t.close();
    await mock.close();
  });
  beforeEach(() => mock.reset());

  const post = (
    message: string,
    init: { accept?: string; signal?: AbortSignal; conversationId?: string } = {},
  ) =>
    fetch(`${base}/api/chatbots/${alice.chatbotId}/chat`, {
      method: 'POST',
      headers: {
        ...as(alice.cookie),
        'content-type': 'application/json',
        accept: init.accept ?? 'text/event-stream',
      },
      body: JSON.stringify({
        message,
        ...(init.conversationId ? { conversationId: init.conversationId } : {}),
      }),
      ...(init.signal ? { signal: init.signal } : {}),
    });

  const stored = async (id: string) =>
    (await t.database.db.select().from(messages).where(eq(messages.id, id)))[0]!;

  it('streams meta, deltas and done with exact SSE framing, and stores usage and cost', async () => {
    const response = await post('Hello there');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const reader = new SseReader(response);
    const events = await reader.readAll();
    expect(reader.raw).toMatch(SSE_FRAMING);
    const names = events.map((event) => event.event);
    expect(names[0]).toBe('meta');
    expect(names.at(-1)).toBe('done');
    expect(names.slice(1, -1).every((name) => name === 'delta')).toBe(true);
    expect(names.length).toBeGreaterThan(5);

    const meta = events[0]!.data as {
      conversationId: string;
      userMessageId: string;
      assistantMessageId: string;
    };
    const done = events.at(-1)!.data as {
      assistantMessageId: string;
      finishReason: string;
      usage: object;
      costUsd: number;
    };
    const text = events
      .filter((event) => event.event === 'delta')
      .map((event) => (event.data as { text: string }).text)
      .join('');
    expect(done.assistantMessageId).toBe(meta.assistantMessageId);
    expect(done.finishReason).toBe('stop');
    expect(done.costUsd).toBeGreaterThan(0);

    const row = await stored(meta.assistantMessageId);
    expect(row).toMatchObject({
      status: 'complete',
      content: text,
      finishReason: 'stop',
      costUsd: done.costUsd,
    });
    expect(row.promptTokens).toBeGreaterThan(0);
    expect(row.completionTokens).toBeGreaterThan(0);
    expect(done.usage).toEqual({ promptTokens: row.promptTokens, completionTokens: row.completionTokens });
    const ledger = await t.database.db
      .select()
      .from(usageRecords)
      .where(eq(usageRecords.userId, alice.userId));
    expect(ledger.some((record) => record.costUsd === done.costUsd)).toBe(true);

    // What the upstream received: the chatbot's model, the system prompt, the end user.
    const sent = mock.requests.find((request) => request.path.endsWith('/chat/completions'))!.body as Record<
      string,
      unknown
    >;
    expect(sent).toMatchObject({ model: 'chat-default', user: alice.userId, stream: true });
  });

  it('answers the whole turn as JSON with Accept: application/json', async () => {
    const response = await post('As JSON please', { accept: 'application/json' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as ChatTurnResult;
    expect(body).toMatchObject({ status: 'complete', finishReason: 'stop' });
    expect(body.content.length).toBeGreaterThan(0);
    expect((await stored(body.assistantMessageId)).content).toBe(body.content);
  });

  it.each([
    ['429', '[[mock:status=429,retryAfter=3]]', 429, 'rate_limited'],
    ['500', '[[mock:status=500]]', 502, 'upstream'],
    ['a hang before the first byte', '[[mock:hang]]', 504, 'timeout'],
  ])(
    'upstream %s before any output → a JSON error, turn saved as error',
    async (_name, marker, status, code) => {
      const response = await post(`Fail ${marker}`);
      expect(response.status).toBe(status);
      const body = (await response.json()) as {
        error: { code: string; details: { userMessageId: string; assistantMessageId: string } };
      };
      expect(body.error.code).toBe(code);
      // LiteLLM honours the provider's Retry-After between its own retries and relays none
      // (error-429): there is no wait to pass on (OpenAI direct: upstream-faults.test.ts).
      if (status === 429) expect(response.headers.get('retry-after')).toBeNull();
      const { userMessageId, assistantMessageId } = body.error.details;
      expect(await stored(userMessageId)).toMatchObject({ role: 'user', status: 'complete' });
      expect(await stored(assistantMessageId)).toMatchObject({
        status: 'error',
        errorCode: code,
        content: '',
      });
    },
  );

  it.each([
    // LiteLLM's in-band error for a cut provider stream (DISABLE_AIOHTTP_TRANSPORT=True, as deployed).
    ['cut (LiteLLM httpx: in-band error)', '[[mock:cut-after=3,transport=httpx]]', 'unexpected_end'],
    ['[DONE] without the usage chunk', '[[mock:no-usage,deltas=3]]', 'unexpected_end'],
    ['a stall', '[[mock:stall-after=3]]', 'timeout'],
    ['a malformed chunk', '[[mock:malformed-after=3]]', 'upstream'],
  ])(
    'upstream %s mid-answer → error event, partial text saved with status error',
    async (_name, marker, code) => {
      const response = await post(`Break ${marker}`);
      expect(response.status).toBe(200);
      const reader = new SseReader(response);
      const events = await reader.readAll();
      expect(reader.raw).toMatch(SSE_FRAMING);
      expect(events.map((event) => event.event)).toEqual(['meta', 'delta', 'delta', 'delta', 'error']);
      expect((events.at(-1)!.data as { code: string }).code).toBe(code);
      const partial = events
        .slice(1, 4)
        .map((event) => (event.data as { text: string }).text)
        .join('');
      const meta = events[0]!.data as { assistantMessageId: string };
      expect(await stored(meta.assistantMessageId)).toMatchObject({
        status: 'error',
        errorCode: code,
        content: partial,
      });
    },
  );

  it('a provider cut under LiteLLM 1.81’s default transport (aiohttp) is stored complete: it cannot be told', async () => {
    // midstream-cut-aiohttp: the partial text, a made-up finish_reason "stop", usage and [DONE].
    const response = await post('Break [[mock:cut-after=3]]');
    const events = await new SseReader(response).readAll();
    expect(events.map((event) => event.event)).toEqual(['meta', 'delta', 'delta', 'delta', 'done']);
    const meta = events[0]!.data as { assistantMessageId: string };
    expect(await stored(meta.assistantMessageId)).toMatchObject({ status: 'complete', finishReason: 'stop' });
  });

  it('a JSON client that disconnects closes the upstream socket within 100 ms and the answer is stopped', async () => {
    const controller = new AbortController();
    const pending = post('Talk forever [[mock:endless,slow=5]]', {
      accept: 'application/json',
      signal: controller.signal,
    }).catch(() => null);
    let id = '';
    await waitFor(async () => {
      const rows = await t.database.db.select().from(messages).where(eq(messages.status, 'streaming'));
      id = rows.find((row) => row.content.length > 0)?.id ?? '';
      return id !== '';
    });
    const gone = mock.waitForClientGone(2000);
    const abortedAt = performance.now();
    controller.abort();
    const event = await gone;
    expect(event.at - abortedAt).toBeLessThan(100);
    expect(await pending).toBeNull();
    await waitFor(async () => (await stored(id)).status === 'stopped');
    expect((await stored(id)).content.length).toBeGreaterThan(0);
  });

  it('Stop ends the stream, keeps the partial answer and closes the upstream', async () => {
    const response = await post('Keep going [[mock:endless,slow=5]]');
    const reader = new SseReader(response);
    const meta = (await reader.until('meta'))!.data as { assistantMessageId: string };
    await reader.until('delta');
    const gone = mock.waitForClientGone(2000);
    const stop = await fetch(`${base}/api/messages/${meta.assistantMessageId}/stop`, {
      method: 'POST',
      headers: as(alice.cookie),
    });
    expect(stop.status).toBe(202);
    expect(await stop.json()).toEqual({ stopped: true });
    const events = await reader.readAll();
    expect(events.at(-1)).toEqual({
      event: 'error',
      data: { code: 'aborted', message: 'The answer was stopped.', seq: expect.any(Number) as number },
    });
    await gone;
    const row = await stored(meta.assistantMessageId);
    const text = events
      .filter((event) => event.event === 'delta')
      .map((event) => (event.data as { text: string }).text)
      .join('');
    expect(row).toMatchObject({ status: 'stopped', content: text });
  });
});
