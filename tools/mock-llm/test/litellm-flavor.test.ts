import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultFlavor, startMockLlm, type MockLlm, type MockModel } from '../src/index.js';

/** The `litellm` flavour beyond the recorded cases: directives, options, consistency of ids. */

const models: MockModel[] = [
  { id: 'chat-default', provider: 'openai', providerModel: 'gpt-4.1-mini', deploymentId: 'a'.repeat(64) },
  { id: 'claude-default', provider: 'anthropic', fallbacks: ['chat-default'], deploymentId: 'b'.repeat(64) },
  { id: 'claude-down', provider: 'anthropic', fallbacks: ['chat-default'], fault: { status: 529 } },
];

let mock: MockLlm;
beforeAll(async () => {
  mock = await startMockLlm({ flavor: 'litellm', apiKey: 'sk-mock', models, interTokenMs: 1 });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const auth = { authorization: 'Bearer sk-mock', 'content-type': 'application/json' };

function chat(body: Record<string, unknown>, content = 'Hi') {
  return fetch(`${mock.url}/chat/completions`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ model: 'chat-default', messages: [{ role: 'user', content }], ...body }),
  });
}
const stream = (model: string, content: string, extra: Record<string, unknown> = {}) =>
  chat({ model, stream: true, stream_options: { include_usage: true }, ...extra }, content);

function events(text: string): string[] {
  return text.split('\n\n').filter(Boolean);
}
// Test-only: bodies are asserted field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const parse = (event: string): any => JSON.parse(event.slice('data: '.length));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (response: Response): Promise<any> => response.json();

describe('litellm flavour', () => {
  it('is the default', () => {
    expect(defaultFlavor).toBe('litellm');
    expect(mock.flavor).toBe('litellm');
  });

  it('keeps the directives: exact deltas, role merged into the first, usage with cost, [DONE]', async () => {
    const response = await stream('chat-default', 'Hi [[mock:deltas=3]]');
    expect(response.headers.get('x-litellm-model-group')).toBeNull();
    expect(response.headers.get('x-litellm-model-id')).toBe('a'.repeat(64));
    const frames = events(await response.text());
    expect(frames).toHaveLength(6);
    expect(parse(frames[0]!).choices[0].delta).toEqual({ content: 'Hello!', role: 'assistant' });
    expect(parse(frames[3]!).choices).toEqual([{ finish_reason: 'stop', index: 0, delta: {} }]);
    expect(parse(frames[4]!).usage).toMatchObject({ completion_tokens: 3, cost: expect.any(Number) });
    expect(frames[5]).toBe('data: [DONE]');
  });

  it('falls back to the configured alias; a stream says so only by the deployment id', async () => {
    const streamed = await stream('claude-default', 'Hi [[mock:fallback,deltas=2]]');
    expect(streamed.headers.get('x-litellm-model-id')).toBe('a'.repeat(64));
    expect(streamed.headers.get('x-litellm-attempted-fallbacks')).toBeNull();
    const first = parse(events(await streamed.text())[0]!);
    expect(first).toMatchObject({ model: 'claude-default', system_fingerprint: 'fp_mock' });

    const whole = await chat({ model: 'claude-down' });
    expect(whole.headers.get('x-litellm-model-group')).toBe('chat-default');
    expect(whole.headers.get('x-litellm-attempted-fallbacks')).toBe('1');
    expect((await json(whole)).model).toBe('gpt-4.1-mini');
  });

  it('falls back to an alias named in the marker, configured or not', async () => {
    const response = await chat({}, 'Hi [[mock:fallback=chat-backup]]');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-litellm-model-group')).toBe('chat-backup');
    expect(response.headers.get('x-litellm-model-id')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers LiteLLM’s error when no fallback may help', async () => {
    for (const [model, content, extra] of [
      ['chat-default', 'Hi [[mock:fallback]]', {}],
      ['claude-down', 'Hi [[mock:no-fallback]]', {}],
      ['claude-down', 'Hi', { disable_fallbacks: true }],
    ] as const) {
      const response = await chat({ model, ...extra }, content);
      expect(response.status).toBe(500);
      const { error } = await json(response);
      expect(error).toMatchObject({ type: null, param: null, code: '500' });
      expect(error.message).toMatch(/^litellm\.InternalServerError: /);
    }
  });

  it('does not relay Retry-After; tells a provider 401 from the proxy refusing the key', async () => {
    const limited = await chat({}, '[[mock:status=429,retryAfter=3]]');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeNull();
    expect((await json(limited)).error.type).toBe('throttling_error');
    const provider = await chat({}, '[[mock:status=401]]');
    expect((await json(provider)).error.message).toMatch(/^litellm\.BadRequestError: OpenAIException/);
    const proxy = await chat({}, '[[mock:error=auth]]');
    expect((await json(proxy)).error).toMatchObject({ type: 'auth_error', code: '401' });
  });

  it('cuts per transport: the httpx marker gives the in-band error, Python-spaced, without [DONE]', async () => {
    const frames = events(
      await (await stream('chat-default', '[[mock:cut-after=2,transport=httpx]]')).text(),
    );
    expect(frames).toHaveLength(3);
    expect(frames[2]).toMatch(/^data: \{"error": \{"message": "litellm\.ServiceUnavailableError: /);
    expect(frames[2]).toMatch(/"type": null, "param": null, "code": "503"\}\}$/);
    const hidden = events(await (await stream('chat-default', '[[mock:cut-after=2]]')).text());
    expect(hidden.at(-1)).toBe('data: [DONE]');
    expect(parse(hidden[2]!).choices[0].finish_reason).toBe('stop');
  });

  it('continues a cut stream with the fallback on httpx', async () => {
    const frames = events(
      await (await stream('claude-default', '[[mock:cut-after=2,deltas=5,transport=httpx]]')).text(),
    );
    const chunks = frames.filter((frame) => frame !== 'data: [DONE]').map(parse);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(2);
    expect(chunks.map((chunk) => chunk.model)).toEqual(chunks.map(() => 'claude-default'));
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta?.role)).toHaveLength(2);
    expect(chunks.at(-1).usage).toMatchObject({ completion_tokens: 3, completion_tokens_details: {} });
    expect(frames.at(-1)).toBe('data: [DONE]');
  });

  it('streams reasoning deltas first when asked', async () => {
    const chunks = events(await (await stream('chat-default', '[[mock:reasoning=2,deltas=1]]')).text());
    expect(parse(chunks[0]!).choices[0].delta).toEqual({ reasoning_content: 'Let', role: 'assistant' });
    expect(parse(chunks[1]!).choices[0].delta).toEqual({ reasoning_content: ' me' });
    expect(parse(chunks[2]!).choices[0].delta).toEqual({ content: 'Hello!' });
    expect(parse(chunks[4]!).usage.completion_tokens_details).toMatchObject({ reasoning_tokens: 2 });
  });

  it('serialises an in-band error marker as Python does', async () => {
    const frames = events(
      await (await stream('chat-default', '[[mock:inband-error-after=1,error=rate_limit]]')).text(),
    );
    expect(frames.at(-1)).toMatch(
      /^data: \{"error": \{"message": "litellm\.RateLimitError: .*"code": "429"\}\}$/,
    );
  });

  it('names the same deployment ids in headers and /model/info', async () => {
    const origin = mock.url.replace(/\/v1$/, '');
    const info = await json(await fetch(`${origin}/model/info`, { headers: auth }));
    const ids = Object.fromEntries(
      info.data.map((entry: { model_name: string; model_info: { id: string } }) => [
        entry.model_name,
        entry.model_info.id,
      ]),
    );
    expect(ids['claude-default']).toBe('b'.repeat(64));
    const response = await stream('claude-down', 'Hi [[mock:no-fallback,deltas=1]]');
    await response.text();
    expect(response.status).toBe(500);
    expect(response.headers.get('x-litellm-model-id')).toBe(ids['claude-down']);
  });

  it('answers a missing or wrong key as LiteLLM does', async () => {
    const missing = await fetch(`${mock.url}/models`);
    expect(await json(missing)).toEqual({
      error: {
        message: 'Authentication Error, No api key passed in.',
        type: 'auth_error',
        param: 'None',
        code: '401',
      },
    });
    const wrong = await fetch(`${mock.url}/models`, { headers: { authorization: 'Bearer sk-nope' } });
    expect(wrong.status).toBe(401);
    expect((await json(wrong)).error.message).toMatch(/Invalid proxy server token passed/);
  });
});

describe('litellm flavour: Stop', () => {
  it('keeps generating after the client left, unless told to close the provider stream', async () => {
    for (const closeUpstreamOnDisconnect of [false, true]) {
      const stopping = await startMockLlm({ flavor: 'litellm', litellm: { closeUpstreamOnDisconnect } });
      const gone = stopping.waitForClientGone();
      const response = await fetch(`${stopping.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'mock-model',
          stream: true,
          messages: [{ role: 'user', content: '[[mock:deltas=40,slow=5]]' }],
        }),
      });
      const reader = response.body!.getReader();
      await reader.read();
      await reader.cancel();
      expect((await gone).upstreamContinues).toBe(!closeUpstreamOnDisconnect);
      await expect.poll(() => stopping.generating, { timeout: 2000 }).toBe(0);
      await stopping.close();
    }
  });
});
