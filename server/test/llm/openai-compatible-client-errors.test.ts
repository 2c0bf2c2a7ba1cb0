import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockLlm, type MockErrorKind, type MockLlm } from '@app/mock-llm';
import { LlmError } from '../../src/llm/llm-errors.js';
import { OpenAICompatibleClient } from '../../src/llm/openai-compatible-client.js';
import { clientFor, collect, errorCodeOf, terminal, textOf, user } from './stream-helpers.js';

let mock: MockLlm;

beforeAll(async () => {
  mock = await startMockLlm({ apiKey: 'sk-test-key' });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

async function freePortWithNothingListening(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('OpenAICompatibleClient error mapping', () => {
  const cases: Array<[string, { status?: number; error?: MockErrorKind }, string]> = [
    ['401', { status: 401 }, 'auth'],
    ['403', { status: 403 }, 'auth'],
    ['404 unknown model (OpenAI)', { status: 404, error: 'model_not_found' }, 'model_not_found'],
    ['400 invalid model name (LiteLLM)', { status: 400, error: 'model_not_found' }, 'model_not_found'],
    ['400 context length', { error: 'context_length' }, 'context_length'],
    ['400 content filter', { error: 'content_filter' }, 'content_filter'],
    ['400 other', { status: 400 }, 'bad_request'],
    ['422', { status: 422 }, 'bad_request'],
    ['429', { status: 429 }, 'rate_limited'],
    ['500', { status: 500 }, 'upstream'],
    ['502', { status: 502 }, 'unavailable'],
    ['503', { status: 503 }, 'unavailable'],
    ['504', { status: 504 }, 'timeout'],
  ];

  it.each(cases)('maps %s to its code, in streams and in generate', async (_name, fault, code) => {
    const client = clientFor(mock);
    mock.enqueue(fault);
    const events = await collect(client.chatStream(user('Hi'), { model: 'gpt-x' }));
    expect(events).toHaveLength(1);
    expect(errorCodeOf(events)).toBe(code);

    mock.enqueue(fault);
    const failure = await client.generate(user('Hi'), { model: 'gpt-x' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LlmError);
    expect((failure as LlmError).code).toBe(code);
  });

  it('gives user-safe messages: no key, no upstream body', async () => {
    const client = clientFor(mock, { apiKey: 'sk-wrong-secret' });
    const events = await collect(client.chatStream(user('Hi')));
    const last = terminal(events);
    if (last.type !== 'error') throw new Error('expected error');
    expect(last.error.code).toBe('auth');
    expect(last.error.status).toBe(401);
    expect(last.error.message).not.toMatch(/sk-|Authentication Error|litellm/i);
    expect(last.error.cause).toBeDefined();
  });

  it('names the model alias when the model is unknown', async () => {
    const strict = await startMockLlm({ rejectUnknownModels: true });
    try {
      const events = await collect(clientFor(strict).chatStream(user('Hi'), { model: 'no-such-model' }));
      const last = terminal(events);
      expect(last).toMatchObject({ type: 'error', error: { code: 'model_not_found' } });
      if (last.type === 'error') expect(last.error.message).toContain('no-such-model');
    } finally {
      await strict.close();
    }
  });

  it('maps connection refused to unavailable', async () => {
    const port = await freePortWithNothingListening();
    const client = new OpenAICompatibleClient({
      baseURL: `http://127.0.0.1:${port}/v1`,
      apiKey: 'k',
      defaultModel: 'm',
      timeoutMs: 1000,
      maxRetries: 0,
    });
    expect(errorCodeOf(await collect(client.chatStream(user('Hi'))))).toBe('unavailable');
    await expect(client.generate(user('Hi'))).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('turns an in-band error after output into an error event after the deltas', async () => {
    mock.enqueue({ inbandErrorAfter: 3, error: 'rate_limit' });
    const events = await collect(clientFor(mock).chatStream(user('Hi')));
    expect(events.filter((event) => event.type === 'delta')).toHaveLength(3);
    expect(errorCodeOf(events)).toBe('rate_limited');
  });

  it('turns a malformed chunk into an error event, never an exception', async () => {
    mock.enqueue({ malformedAfter: 2 });
    const events = await collect(clientFor(mock).chatStream(user('Hi')));
    expect(events.filter((event) => event.type === 'delta')).toHaveLength(2);
    expect(errorCodeOf(events)).toBe('upstream');
  });

  it('reports unexpected_end when the stream closes without finishing (OpenAI-compatible, no [DONE])', async () => {
    const openai = await startMockLlm({ flavor: 'openai', apiKey: 'sk-test-key' });
    try {
      openai.enqueue({ cutAfter: 4 });
      const events = await collect(clientFor(openai).chatStream(user('Hi')));
      expect(events.filter((event) => event.type === 'delta')).toHaveLength(4);
      expect(errorCodeOf(events)).toBe('unexpected_end');
    } finally {
      await openai.close();
    }
  });

  it('reports unexpected_end for LiteLLM’s in-band error after a provider cut (httpx transport)', async () => {
    mock.enqueue({ cutAfter: 4, transport: 'httpx' });
    const events = await collect(clientFor(mock).chatStream(user('Hi')));
    expect(events.filter((event) => event.type === 'delta')).toHaveLength(4);
    expect(errorCodeOf(events)).toBe('unexpected_end');
  });

  it('cannot tell a provider cut under LiteLLM 1.81’s default transport (aiohttp): it ends as done', async () => {
    // LiteLLM makes up finish_reason "stop", a usage chunk and [DONE] after the partial text
    // (midstream-cut-aiohttp): nothing on the wire differs from a short answer.
    mock.enqueue({ cutAfter: 4 });
    const events = await collect(clientFor(mock).chatStream(user('Hi')));
    expect(events.filter((event) => event.type === 'delta')).toHaveLength(4);
    expect(terminal(events)).toMatchObject({
      type: 'done',
      finishReason: 'stop',
      usage: { completionTokens: 4 },
    });
  });

  it('reports unexpected_end for a stream that ends with [DONE] but without the usage chunk it asked for', async () => {
    // LiteLLM and OpenAI both send it when asked: its absence means the stream did not end as meant.
    mock.enqueue({ noUsage: true, deltas: 3 });
    const litellm = await collect(clientFor(mock).chatStream(user('Hi')));
    expect(textOf(litellm)).toHaveLength('Hello! I’m the'.length);
    expect(errorCodeOf(litellm)).toBe('unexpected_end');

    const openai = await startMockLlm({ flavor: 'openai', apiKey: 'sk-test-key' });
    try {
      openai.enqueue({ noUsage: true, deltas: 3 });
      expect(errorCodeOf(await collect(clientFor(openai).chatStream(user('Hi'))))).toBe('unexpected_end');
    } finally {
      await openai.close();
    }
  });

  it('accepts a stream without usage when told it is optional (LLM_STREAM_USAGE=optional)', async () => {
    mock.enqueue({ noUsage: true, deltas: 3 });
    const events = await collect(clientFor(mock, { streamUsage: 'optional' }).chatStream(user('Hi')));
    expect(terminal(events)).toMatchObject({ type: 'done', finishReason: 'stop', usage: null });
  });

  it('reports unexpected_end when the socket is reset mid-stream', async () => {
    mock.enqueue({ resetAfter: 2 });
    const events = await collect(clientFor(mock).chatStream(user('Hi')));
    expect(errorCodeOf(events)).toBe('unexpected_end');
  });

  it('passes a large single delta through intact', async () => {
    mock.enqueue({ oversized: 200_000 });
    const events = await collect(clientFor(mock).chatStream(user('Hi')));
    expect(textOf(events)).toHaveLength(200_000);
    expect(terminal(events).type).toBe('done');
  });
});

describe('OpenAICompatibleClient timeouts', () => {
  it('times out on an upstream that never answers', async () => {
    mock.enqueue({ hang: true });
    const started = performance.now();
    const events = await collect(clientFor(mock, { timeoutMs: 300 }).chatStream(user('Hi')));
    expect(errorCodeOf(events)).toBe('timeout');
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(mock.requests).toHaveLength(1);
  });

  it('times out generate on a hung upstream', async () => {
    mock.enqueue({ hang: true });
    await expect(clientFor(mock, { timeoutMs: 300 }).generate(user('Hi'))).rejects.toMatchObject({
      code: 'timeout',
    });
  });

  it('times out on a stream that goes silent midway, after the deltas it sent', async () => {
    mock.enqueue({ stallAfter: 3 });
    const events = await collect(clientFor(mock, { timeoutMs: 300 }).chatStream(user('Hi')));
    expect(events.filter((event) => event.type === 'delta')).toHaveLength(3);
    expect(errorCodeOf(events)).toBe('timeout');
  });

  it('does not cut a slow steady stream that lasts longer than the timeout', async () => {
    mock.enqueue({ slowMs: 60, deltas: 10 });
    const started = performance.now();
    const events = await collect(clientFor(mock, { timeoutMs: 300 }).chatStream(user('Hi')));
    expect(performance.now() - started).toBeGreaterThan(300);
    expect(terminal(events)).toMatchObject({ type: 'done', finishReason: 'stop' });
    expect(events.filter((event) => event.type === 'delta')).toHaveLength(10);
  });

  it('does not count a slow consumer as upstream silence', async () => {
    mock.enqueue({ deltas: 4 });
    const events = [];
    for await (const event of clientFor(mock, { timeoutMs: 200 }).chatStream(user('Hi'))) {
      events.push(event);
      if (event.type === 'delta') await new Promise((resolve) => setTimeout(resolve, 120));
    }
    expect(terminal(events)).toMatchObject({ type: 'done' });
  });
});
