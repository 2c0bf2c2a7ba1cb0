import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm } from '@app/mock-llm';
import { createLlmBackend, safeEndpoint, type LlmSettings } from '../../src/llm/create-llm-backend.js';
import type { StreamTransport } from '../../src/llm/stream-transport.js';
import { collect, errorCodeOf, terminal, textOf, user } from './stream-helpers.js';

const settings = (overrides: Partial<LlmSettings>): LlmSettings => ({
  baseUrl: null,
  apiKey: null,
  modelChat: 'chat-default',
  timeoutMs: 2000,
  keepAliveMs: 4000,
  maxRetries: null,
  ...overrides,
});

let mock: MockLlm;

beforeAll(async () => {
  mock = await startMockLlm({ apiKey: 'sk-proxy' });
});
afterAll(() => mock.close());

const sseFrames = [
  '{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}',
  '{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}',
  '{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}',
  '[DONE]',
].map((frame) => `data: ${frame}\n\n`);

/** OpenAI's answer to a streamed request, without the network (its URL is not reachable here). */
async function* sseBody(): AsyncGenerator<string> {
  yield* sseFrames;
}

describe('createLlmBackend', () => {
  it('uses proxy mode when a base URL is set: requests land on it with the key', async () => {
    const backend = await createLlmBackend(settings({ baseUrl: mock.url, apiKey: 'sk-proxy' }));
    expect(backend.mode).toBe('proxy');
    expect(backend.endpoint).toBe(mock.url);
    const events = await collect(backend.client.chatStream(user('Hello proxy')));
    expect(terminal(events)).toMatchObject({ type: 'done', info: { model: 'chat-default' } });
    const request = mock.requests.at(-1);
    expect(request?.headers.authorization).toBe('Bearer sk-proxy');
    expect(request?.body).toMatchObject({ model: 'chat-default' });
    await backend.close();
  });

  it('retries once by default in proxy mode, since LiteLLM retries itself', async () => {
    mock.reset();
    const backend = await createLlmBackend(settings({ baseUrl: mock.url, apiKey: 'sk-proxy' }));
    const events = await collect(backend.client.chatStream(user('[[mock:status=503,retryAfterMs=1]]')));
    expect(errorCodeOf(events)).toBe('unavailable');
    expect(mock.requests).toHaveLength(2);
  });

  it('uses direct mode with only a key, targeting OpenAI’s default URL', async () => {
    const seen: Array<{ url: string; authorization: string | undefined }> = [];
    const capture: StreamTransport = async ({ url, headers }) => {
      seen.push({ url: String(url), authorization: headers.authorization });
      return {
        status: 200,
        headers: new Headers({ 'content-type': 'text/event-stream', 'x-request-id': 'req_openai' }),
        body: sseBody(),
      };
    };
    const backend = await createLlmBackend(settings({ apiKey: 'sk-openai' }), { transport: capture });
    expect(backend.mode).toBe('direct');
    expect(backend.endpoint).toBe('https://api.openai.com/v1');
    const events = await collect(backend.client.chatStream(user('Hi'), { metadata: { trace: 'x' } }));
    expect(seen).toEqual([
      { url: 'https://api.openai.com/v1/chat/completions', authorization: 'Bearer sk-openai' },
    ]);
    expect(textOf(events)).toBe('Hi');
    expect(terminal(events)).toMatchObject({
      type: 'done',
      usage: { promptTokens: 3, completionTokens: 1 },
      info: { requestId: 'req_openai', model: 'gpt-4o-mini' },
    });
  });

  it('starts the in-process demo upstream with nothing configured and streams an answer through it', async () => {
    const backend = await createLlmBackend(settings({}), { demoTtftMs: 0, demoInterTokenMs: 0 });
    try {
      expect(backend.mode).toBe('demo');
      expect(backend.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      const events = await collect(backend.client.chatStream(user('What can you do?')));
      expect(events[0]?.type).toBe('start');
      expect(textOf(events)).toContain('built-in **demo model**');
      expect(textOf(events)).toContain('> What can you do?');
      expect(terminal(events)).toMatchObject({ type: 'done', finishReason: 'stop' });
      const generated = await backend.client.generate([
        { role: 'system', content: 'Write a system prompt for a chatbot.' },
        { role: 'user', content: 'A friendly cooking helper' },
      ]);
      expect(generated.text).toContain('A friendly cooking helper');
    } finally {
      await backend.close();
    }
    // The demo upstream is gone after close.
    await expect(fetch(`${backend.endpoint}/models`)).rejects.toThrow();
  });

  it('shows endpoints without credentials or query', () => {
    expect(safeEndpoint('https://user:secret@litellm.example.com:4000/v1/?key=abc')).toBe(
      'https://litellm.example.com:4000/v1',
    );
  });
});
