import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm } from '@app/mock-llm';
import { clientFor, collect, errorCodeOf, terminal, user } from './stream-helpers.js';

let mock: MockLlm;

// These test the client's own retries and its Retry-After handling: OpenAI direct sends Retry-After
// (LiteLLM does not relay it, see openai-compatible-client-errors.test.ts).
beforeAll(async () => {
  mock = await startMockLlm({ flavor: 'openai' });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const chatRequests = () => mock.requests.filter((request) => request.path.endsWith('/chat/completions'));

describe('OpenAICompatibleClient retries', () => {
  it('retries 429, 5xx and then succeeds, before the first token', async () => {
    mock.enqueue({ status: 429, retryAfterMs: 10 });
    mock.enqueue({ status: 503 });
    const events = await collect(clientFor(mock, { maxRetries: 2 }).chatStream(user('Hi')));
    expect(terminal(events)).toMatchObject({ type: 'done' });
    expect(events.filter((event) => event.type === 'start')).toHaveLength(1);
    expect(chatRequests()).toHaveLength(3);
  });

  it('retries generate the same way', async () => {
    mock.enqueue({ status: 500 });
    const result = await clientFor(mock, { maxRetries: 1 }).generate(user('Hi'));
    expect(result.text.length).toBeGreaterThan(0);
    expect(chatRequests()).toHaveLength(2);
  });

  it('gives up after maxRetries with the last error', async () => {
    const events = await collect(
      clientFor(mock, { maxRetries: 2 }).chatStream(user('Hi [[mock:status=502]]')),
    );
    expect(errorCodeOf(events)).toBe('unavailable');
    expect(chatRequests()).toHaveLength(3);
  });

  it('honours Retry-After', async () => {
    mock.enqueue({ status: 429, retryAfter: 0.3 });
    const started = performance.now();
    const events = await collect(clientFor(mock, { maxRetries: 1 }).chatStream(user('Hi')));
    expect(terminal(events).type).toBe('done');
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('does not wait for a Retry-After longer than it allows; the error carries it', async () => {
    mock.enqueue({ status: 429, retryAfter: 120 });
    const events = await collect(clientFor(mock, { maxRetries: 2 }).chatStream(user('Hi')));
    const last = terminal(events);
    expect(last).toMatchObject({ type: 'error', error: { code: 'rate_limited', retryAfterMs: 120_000 } });
    expect(chatRequests()).toHaveLength(1);
  });

  it('never retries requests the upstream rejected for good', async () => {
    mock.enqueue({ status: 400 });
    mock.enqueue({ status: 401 });
    const client = clientFor(mock, { maxRetries: 3 });
    expect(errorCodeOf(await collect(client.chatStream(user('Hi'))))).toBe('bad_request');
    expect(errorCodeOf(await collect(client.chatStream(user('Hi'))))).toBe('auth');
    expect(chatRequests()).toHaveLength(2);
  });

  it('never retries once output has started', async () => {
    mock.enqueue({ inbandErrorAfter: 2 });
    const events = await collect(clientFor(mock, { maxRetries: 3 }).chatStream(user('Hi')));
    expect(errorCodeOf(events)).toBe('upstream');
    mock.enqueue({ resetAfter: 2 });
    await collect(clientFor(mock, { maxRetries: 3 }).chatStream(user('Hi')));
    expect(chatRequests()).toHaveLength(2);
  });

  it('does not retry a timeout (the caller already waited the limit)', async () => {
    mock.enqueue({ hang: true });
    const events = await collect(clientFor(mock, { maxRetries: 3, timeoutMs: 200 }).chatStream(user('Hi')));
    expect(errorCodeOf(events)).toBe('timeout');
    expect(chatRequests()).toHaveLength(1);
  });

  it('stops retrying when the caller aborts during the backoff', async () => {
    mock.enqueue({ status: 503, retryAfter: 5 });
    const controller = new AbortController();
    const client = clientFor(mock, { maxRetries: 3, maxRetryDelayMs: 10_000 });
    setTimeout(() => controller.abort(), 50);
    const started = performance.now();
    const events = await collect(client.chatStream(user('Hi'), { signal: controller.signal }));
    expect(errorCodeOf(events)).toBe('aborted');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(chatRequests()).toHaveLength(1);
  });
});
