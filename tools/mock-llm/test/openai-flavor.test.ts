import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm } from '../src/index.js';

/** The `openai` flavour: OpenAI's API called directly. */

let mock: MockLlm;
beforeAll(async () => {
  mock = await startMockLlm({
    flavor: 'openai',
    apiKey: 'sk-mock',
    models: [{ id: 'gpt-4.1-mini', providerModel: 'gpt-4.1-mini-2025-04-14', fallbacks: ['x'] }],
  });
});
afterAll(() => mock.close());

const auth = { authorization: 'Bearer sk-mock', 'content-type': 'application/json' };
const chat = (body: Record<string, unknown>, content = 'Hi [[mock:deltas=2]]') =>
  fetch(`${mock.url}/chat/completions`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content }], ...body }),
  });
// Test-only: bodies are asserted field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const parse = (event: string): any => JSON.parse(event.slice('data: '.length));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (response: Response): Promise<any> => response.json();

describe('openai flavour', () => {
  it('streams a role chunk, usage: null on each chunk, then a usage chunk with choices: []', async () => {
    const response = await chat({ stream: true, stream_options: { include_usage: true } });
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect([...response.headers.keys()].some((name) => name.startsWith('x-litellm'))).toBe(false);
    const frames = (await response.text()).split('\n\n').filter(Boolean);
    expect(frames).toHaveLength(6);
    const [role, first, , finish, usage] = frames.map((frame) =>
      frame === 'data: [DONE]' ? null : parse(frame),
    );
    expect(role.choices).toEqual([
      {
        index: 0,
        delta: { role: 'assistant', content: '', refusal: null },
        logprobs: null,
        finish_reason: null,
      },
    ]);
    expect(Object.keys(first)).toEqual([
      'id',
      'object',
      'created',
      'model',
      'service_tier',
      'system_fingerprint',
      'choices',
      'usage',
      'obfuscation',
    ]);
    expect(first).toMatchObject({ model: 'gpt-4.1-mini-2025-04-14', usage: null });
    expect(finish.choices[0]).toEqual({ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' });
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toMatchObject({
      completion_tokens: 2,
      completion_tokens_details: { reasoning_tokens: 0 },
    });
    expect(usage.usage).not.toHaveProperty('cost');
    expect(frames[5]).toBe('data: [DONE]');
  });

  it('leaves out usage and obfuscation when not asked for', async () => {
    const text = await (await chat({ stream: true, stream_options: { include_obfuscation: false } })).text();
    expect(text).not.toContain('"usage"');
    expect(text).not.toContain('obfuscation');
  });

  it('answers whole completions in OpenAI’s shape', async () => {
    const body = await json(await chat({}));
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4.1-mini-2025-04-14',
      choices: [
        {
          message: { role: 'assistant', refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      service_tier: 'default',
    });
  });

  it('has OpenAI’s error codes, relays Retry-After and never falls back', async () => {
    const limited = await chat({}, '[[mock:status=429,retryAfter=2]]');
    expect(limited.headers.get('retry-after')).toBe('2');
    expect((await json(limited)).error).toMatchObject({ code: 'rate_limit_exceeded' });
    const failed = await chat({}, '[[mock:fallback]]');
    expect(failed.status).toBe(200);
    const context = await chat({}, '[[mock:error=context_length]]');
    expect((await json(context)).error).toMatchObject({
      code: 'context_length_exceeded',
      param: 'messages',
    });
    const unauthorized = await fetch(`${mock.url}/models`, { headers: { authorization: 'Bearer nope' } });
    expect((await json(unauthorized)).error.code).toBe('invalid_api_key');
  });

  it('lists models as OpenAI does and has no LiteLLM endpoints', async () => {
    const list = await json(await fetch(`${mock.url}/models`, { headers: auth }));
    expect(list).toEqual({
      object: 'list',
      data: [{ id: 'gpt-4.1-mini', object: 'model', created: expect.any(Number), owned_by: 'system' }],
    });
    const origin = mock.url.replace(/\/v1$/, '');
    expect((await fetch(`${origin}/model_group/info`, { headers: auth })).status).toBe(404);
  });
});
