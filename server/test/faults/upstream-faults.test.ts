import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SseReader } from '../chat/sse-client.js';
import { deltaText, FaultRig, sleep, trackUnhandledRejections, waitUntil } from './fault-rig.js';

const LLM_TIMEOUT_MS = 500;
/** Slack for a loaded 2-core machine on top of a configured deadline (not a performance figure). */
const SLACK_MS = 3000;

/**
 * Issue 7 point 5: every way the upstream can fail, through the app over real HTTP with the real
 * client and the mock upstream. Each ends typed (a JSON error before output, an `error` event after),
 * within its deadline, with the user message and the partial answer stored, no retry once output
 * started or the client left, no unhandled rejection, and the process serving the next turn.
 */
describe('upstream faults', () => {
  let rig: FaultRig;
  let unhandled: ReturnType<typeof trackUnhandledRejections>;

  beforeAll(async () => {
    unhandled = trackUnhandledRejections();
    rig = await FaultRig.start({ llmTimeoutMs: LLM_TIMEOUT_MS, maxRetries: 1, maxRetryDelayMs: 1000 });
  });
  afterAll(async () => {
    await rig.close();
    unhandled.remove();
  });
  beforeEach(() => rig.mock.reset());
  afterEach(async () => {
    expect(await rig.normalTurnWorks()).toBe(true);
    expect(unhandled.reasons).toEqual([]);
  });

  type ErrorBody = {
    error: { code: string; message: string; details: { userMessageId: string; assistantMessageId: string } };
  };

  it.each([
    // LiteLLM honours the provider's Retry-After between its own retries and relays none
    // (error-429): the client retries once on its own backoff and passes no wait on.
    ['429 (no Retry-After from LiteLLM)', '[[mock:status=429,retryAfter=2]]', 429, 'rate_limited', 2],
    ['500', '[[mock:status=500]]', 502, 'upstream', 2],
    ['503', '[[mock:status=503]]', 503, 'unavailable', 2],
    // Our own timeout is final: the caller already waited the limit.
    ['a hang before the first byte', '[[mock:hang]]', 504, 'timeout', 1],
  ])(
    'upstream %s before any output → JSON error with its status; turn stored as error',
    async (_name, marker, status, code, upstreamRequests) => {
      const message = `Fail please ${marker}`;
      const startedAt = performance.now();
      const response = await rig.post(message);
      const elapsed = performance.now() - startedAt;
      expect(response.status).toBe(status);
      const body = (await response.json()) as ErrorBody;
      expect(body.error.code).toBe(code);
      expect(response.headers.get('retry-after')).toBeNull();
      expect(elapsed).toBeLessThan(LLM_TIMEOUT_MS + 1000 + SLACK_MS);
      expect(rig.chatRequests()).toBe(upstreamRequests);

      const { userMessageId, assistantMessageId } = body.error.details;
      expect(await rig.row(userMessageId)).toMatchObject({
        role: 'user',
        status: 'complete',
        content: message,
      });
      expect(await rig.row(assistantMessageId)).toMatchObject({
        status: 'error',
        errorCode: code,
        content: '',
      });
    },
  );

  it('connection refused (upstream down) → 503 unavailable, turn stored; serves again once it is back', async () => {
    await rig.stopMock();
    try {
      const message = 'Anyone there?';
      const response = await rig.post(message);
      expect(response.status).toBe(503);
      const body = (await response.json()) as ErrorBody;
      expect(body.error.code).toBe('unavailable');
      expect(await rig.row(body.error.details.userMessageId)).toMatchObject({ content: message });
      expect(await rig.row(body.error.details.assistantMessageId)).toMatchObject({
        status: 'error',
        errorCode: 'unavailable',
      });
    } finally {
      await rig.restoreMock();
    }
  });

  it.each([
    ['a stall mid-stream', '[[mock:stall-after=3]]', 'timeout'],
    // LiteLLM's in-band error for a cut provider stream (httpx transport, as deployed).
    ['a provider cut (LiteLLM httpx)', '[[mock:cut-after=3,transport=httpx]]', 'unexpected_end'],
    ['[DONE] without the usage chunk asked for', '[[mock:no-usage,deltas=3]]', 'unexpected_end'],
    ['a connection reset mid-stream', '[[mock:reset-after=3]]', 'unexpected_end'],
    ['a malformed JSON chunk', '[[mock:malformed-after=3]]', 'upstream'],
    ['an in-band error chunk', '[[mock:inband-error-after=3]]', 'upstream'],
  ])(
    'upstream %s → error event in time, partial answer stored as error, no retry',
    async (_name, marker, code) => {
      const message = `Break please ${marker}`;
      const response = await rig.post(message);
      expect(response.status).toBe(200);
      const reader = new SseReader(response);
      await reader.until('delta');
      const firstDeltaAt = performance.now();
      const events = await reader.readAll();
      // The stall waits out the silence limit; the others end at once.
      expect(performance.now() - firstDeltaAt).toBeLessThan(LLM_TIMEOUT_MS + SLACK_MS);
      expect(events.map((event) => event.event)).toEqual(['meta', 'delta', 'delta', 'delta', 'error']);
      expect((events.at(-1)!.data as { code: string }).code).toBe(code);
      expect(rig.chatRequests()).toBe(1);

      const meta = events[0]!.data as { userMessageId: string; assistantMessageId: string };
      expect(await rig.row(meta.userMessageId)).toMatchObject({ role: 'user', content: message });
      expect(await rig.row(meta.assistantMessageId)).toMatchObject({
        status: 'error',
        errorCode: code,
        content: deltaText(events),
      });
    },
  );

  it('an oversized chunk (1 MiB, over the answer limit) → error event; stored answer = what was sent', async () => {
    const response = await rig.post('Huge please [[mock:oversized]]');
    const events = await new SseReader(response).readAll();
    expect(events.map((event) => event.event)).toEqual(['meta', 'error']);
    expect(events[1]!.data).toMatchObject({ code: 'upstream' });
    const meta = events[0]!.data as { userMessageId: string; assistantMessageId: string };
    expect(await rig.row(meta.userMessageId)).toMatchObject({ role: 'user' });
    const row = await rig.row(meta.assistantMessageId);
    expect({ status: row?.status, errorCode: row?.errorCode, length: row?.content.length }).toEqual({
      status: 'error',
      errorCode: 'upstream',
      length: 0,
    });
    expect(rig.chatRequests()).toBe(1);
  });

  it('a provider cut under LiteLLM 1.81’s default transport (aiohttp) cannot be told: stored complete', async () => {
    // midstream-cut-aiohttp: the partial text, a made-up finish_reason "stop", usage and [DONE].
    // LiteLLM ≥ 1.94 raises instead; the compose stack runs httpx (DISABLE_AIOHTTP_TRANSPORT=True).
    const response = await rig.post('Break please [[mock:cut-after=3]]');
    const events = await new SseReader(response).readAll();
    expect(events.map((event) => event.event)).toEqual(['meta', 'delta', 'delta', 'delta', 'done']);
    const meta = events[0]!.data as { assistantMessageId: string };
    expect(await rig.row(meta.assistantMessageId)).toMatchObject({
      status: 'complete',
      content: deltaText(events),
    });
  });

  it('an endless stream is cut at the answer size limit; the upstream is closed, no retry', async () => {
    const gone = rig.mock.waitForClientGone(10_000);
    // 100 kB deltas: the 1,000,000-character limit is crossed at the 11th.
    const response = await rig.post('Never stop [[mock:endless,oversized=100000]]');
    const events = await new SseReader(response).readAll();
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { code: 'upstream' } });
    const text = deltaText(events);
    expect(text.length).toBe(1_000_000);
    await gone;
    const meta = events[0]!.data as { assistantMessageId: string };
    const row = await rig.row(meta.assistantMessageId);
    expect(row?.status).toBe('error');
    expect(row?.content.length).toBe(text.length);
    expect(rig.chatRequests()).toBe(1);
  });
});

/** OpenAI called directly relays Retry-After (LiteLLM does not): the client's own handling of it. */
describe('upstream faults, OpenAI direct', () => {
  let rig: FaultRig;
  let unhandled: ReturnType<typeof trackUnhandledRejections>;

  beforeAll(async () => {
    unhandled = trackUnhandledRejections();
    rig = await FaultRig.start({
      llmTimeoutMs: LLM_TIMEOUT_MS,
      maxRetries: 1,
      maxRetryDelayMs: 1000,
      mock: { flavor: 'openai' },
    });
  });
  afterAll(async () => {
    await rig.close();
    unhandled.remove();
  });
  beforeEach(() => rig.mock.reset());
  afterEach(async () => {
    expect(await rig.normalTurnWorks()).toBe(true);
    expect(unhandled.reasons).toEqual([]);
  });

  it.each([
    // Retry-After longer than the client honours (1 s): no retry, the wait is passed on.
    ['429 with Retry-After', '[[mock:status=429,retryAfter=2]]', '2', 1],
    // Retried once after 20 ms; the second 429's wait goes on, rounded up to whole seconds.
    ['429 with a short retry-after-ms (retried once)', '[[mock:status=429,retryAfterMs=20]]', '1', 2],
  ])('upstream %s → 429 rate_limited', async (_name, marker, retryAfter, upstreamRequests) => {
    const response = await rig.post(`Fail please ${marker}`);
    expect(response.status).toBe(429);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    expect(response.headers.get('retry-after')).toBe(retryAfter);
    expect(rig.chatRequests()).toBe(upstreamRequests);
  });

  it('a stream cut without [DONE] or finish reason → unexpected_end, partial answer stored', async () => {
    const response = await rig.post('Break please [[mock:cut-after=3]]');
    const events = await new SseReader(response).readAll();
    expect(events.map((event) => event.event)).toEqual(['meta', 'delta', 'delta', 'delta', 'error']);
    expect(events.at(-1)!.data).toMatchObject({ code: 'unexpected_end' });
    const meta = events[0]!.data as { assistantMessageId: string };
    expect(await rig.row(meta.assistantMessageId)).toMatchObject({
      status: 'error',
      errorCode: 'unexpected_end',
      content: deltaText(events),
    });
  });

  it('a JSON client that leaves during the retry back-off stops the retries', async () => {
    const controller = new AbortController();
    const message = 'Leaving soon [[mock:status=503,retryAfterMs=800]]';
    const pending = rig
      .post(message, { signal: controller.signal, accept: 'application/json' })
      .catch((error: unknown) => error);
    await waitUntil(() => rig.chatRequests() === 1, 5000, 'first upstream attempt');
    controller.abort();
    expect(await pending).toBeInstanceOf(Error);
    await sleep(1200);
    expect(rig.chatRequests()).toBe(1);

    const userRow = (await rig.allRows()).find((row) => row.content === message)!;
    expect(userRow).toMatchObject({ role: 'user', status: 'complete' });
    await waitUntil(
      async () =>
        (await rig.rowsOf(userRow.conversationId)).some(
          (row) => row.role === 'assistant' && row.status === 'stopped',
        ),
      5000,
      'assistant row stopped',
    );
  });

  it('a streamed client that leaves during the retry back-off only detaches: the turn runs to its end', async () => {
    const controller = new AbortController();
    const message = 'Leaving the stream [[mock:status=503,retryAfterMs=800]]';
    const pending = rig.post(message, { signal: controller.signal }).catch((error: unknown) => error);
    await waitUntil(() => rig.chatRequests() >= 1, 5000, 'first upstream attempt');
    controller.abort();
    expect(await pending).toBeInstanceOf(Error);
    const userRow = (await rig.allRows()).find((row) => row.content === message)!;
    await waitUntil(
      async () =>
        (await rig.rowsOf(userRow.conversationId)).some(
          (row) => row.role === 'assistant' && row.status !== 'streaming',
        ),
      5000,
      'assistant row final',
    );
    // The retry still went out, and the turn ended as the upstream decided (not `stopped`).
    expect(rig.chatRequests()).toBe(2);
    const answer = (await rig.rowsOf(userRow.conversationId)).find((row) => row.role === 'assistant')!;
    expect(answer).toMatchObject({ status: 'error', errorCode: 'unavailable' });
  });
});
