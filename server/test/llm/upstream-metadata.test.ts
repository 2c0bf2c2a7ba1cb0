import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlmBackend, type LlmBackend } from '../../src/llm/create-llm-backend.js';
import { readResponseInfo } from '../../src/llm/response-info.js';
import { MAX_RETRY_AFTER_MS, retryAfterMsFrom } from '../../src/llm/retry-policy.js';
import { userWithChatbot } from '../chat/chat-fixtures.js';
import { SseReader } from '../chat/sse-client.js';
import { as, buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { sentinel, startHostileUpstream, type HostileUpstreamOptions } from '../security/hostile-upstream.js';

const headers = (values: Record<string, string>) => new Headers(values);

describe('Retry-After from the upstream is bounded and validated', () => {
  const cases: Array<[Record<string, string>, number | undefined]> = [
    [{ 'retry-after': '99999999999' }, MAX_RETRY_AFTER_MS],
    [{ 'retry-after': '120' }, 120_000],
    [{ 'retry-after': '0.3' }, 300],
    [{ 'retry-after': '0' }, 0],
    [{ 'retry-after-ms': '20' }, 20],
    [{ 'retry-after-ms': '1e400', 'retry-after': '2' }, 2_000],
    [{ 'retry-after-ms': '-5', 'retry-after': '2' }, 2_000],
    [{ 'retry-after-ms': '99999999999999' }, MAX_RETRY_AFTER_MS],
    [{ 'retry-after': 'Sun, 06 Nov 1994 08:49:37 GMT' }, 0],
    [{ 'retry-after': 'Fri, 31 Dec 9999 23:59:59 GMT' }, MAX_RETRY_AFTER_MS],
    [{ 'retry-after': 'soon' }, undefined],
    [{ 'retry-after': '-5' }, undefined],
    [{ 'retry-after': '1e9' }, undefined],
    [{ 'retry-after': '12abc' }, undefined],
    [{ 'retry-after': '1 2 3' }, undefined],
    [{ 'retry-after': 'Infinity' }, undefined],
  ];

  it('clamps seconds, milliseconds and HTTP dates to 0 .. 1 h and ignores anything else', () => {
    expect(cases.map(([given]) => retryAfterMsFrom(headers(given)))).toEqual(cases.map(([, wait]) => wait));
    // An HTTP date in the near future is the time until then.
    const at = new Date(Date.now() + 90_000).toUTCString();
    const wait = retryAfterMsFrom(headers({ 'retry-after': at }))!;
    expect(wait).toBeGreaterThan(85_000);
    expect(wait).toBeLessThanOrEqual(90_000);
  });
});

describe('response metadata is bounded where it enters', () => {
  const key = sentinel('meta-unit');
  beforeAll(async () => {
    // Registering the key is what creating a backend does.
    await createLlmBackend({
      baseUrl: 'http://127.0.0.1:9/v1',
      apiKey: key,
      modelChat: 'm',
      timeoutMs: 1000,
      keepAliveMs: 1000,
      maxRetries: 0,
    });
  });

  it('drops long, oddly written or secret-bearing values, clamps the fallback count, keeps ordinary ones', () => {
    expect(
      readResponseInfo(
        headers({
          'x-litellm-model-group': 'anthropic/claude-3-5-sonnet@eu',
          'x-litellm-attempted-fallbacks': '2',
          'x-request-id': 'req_01J9Z-abc.def:1',
          'x-litellm-model-id': '0916c0fe1bfd4073c91660facae44bca66738b958c3cbebc45b0d4097f3e1a64',
        }),
      ),
    ).toEqual({
      model: null,
      modelGroup: 'anthropic/claude-3-5-sonnet@eu',
      attemptedFallbacks: 2,
      requestId: 'req_01J9Z-abc.def:1',
      deploymentId: '0916c0fe1bfd4073c91660facae44bca66738b958c3cbebc45b0d4097f3e1a64',
    });
    for (const [group, fallbacks, requestId] of [
      ['<script>alert(1)</script>', '99999999999', 'r'.repeat(129)],
      ['x'.repeat(129), '-1', 'id with spaces'],
      [key, '1.5', key],
      [`Bearer ${key}`, 'many', '"><img src=x>'],
    ] as const) {
      const info = readResponseInfo(
        headers({
          'x-litellm-model-group': group,
          'x-litellm-attempted-fallbacks': fallbacks,
          'x-request-id': requestId,
          'x-litellm-model-id': group,
        }),
      );
      expect(info.modelGroup).toBeNull();
      expect(info.deploymentId).toBeNull();
      expect(info.requestId).toBeNull();
      expect(info.attemptedFallbacks === null || info.attemptedFallbacks === 20).toBe(true);
    }
    expect(
      readResponseInfo(headers({ 'x-litellm-attempted-fallbacks': '99999999999' })).attemptedFallbacks,
    ).toBe(20);
  });
});

describe('a hostile upstream over real HTTP: what the client gets and what is stored', () => {
  const key = sentinel('meta-key');
  const options: HostileUpstreamOptions = { discovery: { models: ['chat-default'] } };
  let upstream: Awaited<ReturnType<typeof startHostileUpstream>>;
  let llm: LlmBackend;
  let t: TestApp;
  let base: string;
  let cookie: string;
  let chatbotId: string;

  beforeAll(async () => {
    upstream = await startHostileUpstream(options);
    llm = await createLlmBackend({
      baseUrl: upstream.url(),
      apiKey: key,
      modelChat: 'chat-default',
      timeoutMs: 3_000,
      keepAliveMs: 1_000,
      maxRetries: 1,
    });
    t = await buildTestApp({
      llm,
      env: {
        LLM_BASE_URL: upstream.url(),
        LLM_API_KEY: key,
        LLM_MODEL_CHAT: 'chat-default',
        LLM_MODEL_PROMPT_GEN: 'chat-default',
        RATE_LIMIT_DEFAULT_PER_MINUTE: '100000',
      },
    });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    ({ cookie, chatbotId } = await userWithChatbot(t, 'metadata@example.com'));
  });
  afterAll(async () => {
    await t?.close();
    await llm?.close();
    await upstream?.close();
  });

  const chat = (message: string, accept: string) =>
    fetch(`${base}/api/chatbots/${chatbotId}/chat`, {
      method: 'POST',
      headers: { ...as(cookie), 'content-type': 'application/json', accept },
      body: JSON.stringify({ message }),
    });

  it('relays a Retry-After of at most an hour, and none for garbage (chat JSON, chat SSE, prompts)', async () => {
    for (const [given, relayed] of [
      ['99999999999', '3600'],
      ['Fri, 31 Dec 9999 23:59:59 GMT', '3600'],
      ['120', '120'],
      ['soon', null],
    ] as const) {
      await expectRelayed(given, relayed);
    }
  });

  async function expectRelayed(given: string, relayed: string | null) {
    options.rateLimitHeaders = { 'retry-after': given };
    const before = upstream.requests.length;
    for (const accept of ['application/json', 'text/event-stream']) {
      const response = await chat('hi [[hostile:429]]', accept);
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe(relayed);
      expect((await response.json()) as unknown).toMatchObject({ error: { code: 'rate_limited' } });
    }
    const prompt = await fetch(`${base}/api/prompts/generate`, {
      method: 'POST',
      headers: { ...as(cookie), 'content-type': 'application/json' },
      body: JSON.stringify({ description: 'a helper [[hostile:429]]' }),
    });
    expect(prompt.status).toBe(429);
    expect(prompt.headers.get('retry-after')).toBe(relayed);
    // A wait longer than the client allows is not waited for (one try each); garbage is retried
    // with the usual backoff (two tries each).
    expect(upstream.requests.length - before).toBe(relayed === null ? 6 : 3);
  }

  async function lastAssistantRow() {
    const result = await t.database.db.execute(
      sql`select status, answered_by, model_group, attempted_fallbacks, upstream_request_id, finish_reason
          from messages where role = 'assistant' order by created_at desc limit 1`,
    );
    return (result as unknown as { rows: Array<Record<string, unknown>> }).rows[0];
  }

  it('drops hostile names and ids, clamps the fallback count, still saves the answer, keeps real fallbacks', async () => {
    options.meta = {
      modelGroup: key,
      attemptedFallbacks: '99999999999',
      requestId: 'r'.repeat(500),
      model: '"><img src=x onerror=alert(1)>',
      id: key,
      finishReason: '<b>stop</b>',
    };
    const sse = new SseReader(await chat('hi [[hostile:meta]]', 'text/event-stream'));
    const events = await sse.readAll();
    const done = events.find((event) => event.event === 'done');
    expect(done?.data).toMatchObject({ finishReason: 'other' });
    expect(done?.data).not.toHaveProperty('answeredBy');
    expect(await lastAssistantRow()).toEqual({
      status: 'complete',
      answered_by: null,
      model_group: null,
      attempted_fallbacks: 20,
      upstream_request_id: null,
      finish_reason: 'other',
    });
    const conversationId = (
      events.find((event) => event.event === 'meta')?.data as { conversationId: string }
    ).conversationId;
    const read = await fetch(`${base}/api/conversations/${conversationId}`, { headers: as(cookie) });
    const text = await read.text();
    expect(text).not.toContain(key);
    expect(text).not.toContain('<img');
    expect(JSON.parse(text)).toMatchObject({
      messages: [{ role: 'user' }, { role: 'assistant', answeredBy: null, upstreamModel: null }],
    });

    // Ordinary metadata is kept: a real fallback is still shown and stored.
    options.meta = {
      modelGroup: 'fallback-model',
      attemptedFallbacks: '1',
      requestId: 'req-42',
      model: 'gpt-4o-mini-2024-07-18',
      finishReason: 'length',
    };
    const response = await chat('hi [[hostile:meta]]', 'application/json');
    expect((await response.json()) as unknown).toMatchObject({
      answeredBy: 'fallback-model',
      finishReason: 'length',
    });
    expect(await lastAssistantRow()).toEqual({
      status: 'complete',
      answered_by: 'gpt-4o-mini-2024-07-18',
      model_group: 'fallback-model',
      attempted_fallbacks: 1,
      upstream_request_id: 'req-42',
      finish_reason: 'length',
    });
  });
});
