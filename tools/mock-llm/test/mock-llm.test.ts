import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseFaultMarkers, startMockLlm, type MockLlm } from '../src/index.js';

let mock: MockLlm;

beforeAll(async () => {
  mock = await startMockLlm({ apiKey: 'sk-mock' });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const auth = { authorization: 'Bearer sk-mock', 'content-type': 'application/json' };

function chat(body: Record<string, unknown>, headers: Record<string, string> = auth) {
  return fetch(`${mock.url}/chat/completions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      model: 'mock-model',
      messages: [{ role: 'user', content: 'Hello mock' }],
      ...body,
    }),
  });
}

// Test-only: bodies are asserted field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (response: Response): Promise<any> => response.json();

function dataLines(text: string): string[] {
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((frame) => {
      expect(frame.startsWith('data: ')).toBe(true);
      return frame.slice('data: '.length);
    });
}

describe('mock-llm chat completions (the default flavour, litellm)', () => {
  it('streams SSE framing: deltas, finish chunk, a usage chunk when asked, then [DONE]', async () => {
    const response = await chat({
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Hi [[mock:deltas=3]]' }],
    });
    expect(mock.flavor).toBe('litellm');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('x-litellm-model-id')).toBeTruthy();
    expect(response.headers.get('x-litellm-call-id')).toBeTruthy();
    const lines = dataLines(await response.text());
    expect(lines.at(-1)).toBe('[DONE]');
    const chunks = lines.slice(0, -1).map((line) => JSON.parse(line));
    expect(chunks.slice(0, 3).map((chunk) => chunk.choices[0].delta.content)).toEqual([
      'Hello!',
      ' I’m',
      ' the',
    ]);
    expect(chunks[3].choices[0]).toEqual({ finish_reason: 'stop', index: 0, delta: {} });
    expect(chunks[4].choices).toEqual([{ index: 0, delta: {} }]);
    expect(chunks[4].usage).toMatchObject({
      completion_tokens: 3,
      total_tokens: expect.any(Number),
      cost: expect.any(Number),
    });
    for (const chunk of chunks)
      expect(chunk).toMatchObject({ object: 'chat.completion.chunk', model: 'mock-model' });
  });

  it('leaves out usage unless asked', async () => {
    const lines = dataLines(await (await chat({ stream: true })).text());
    expect(lines.some((line) => line.includes('"usage"'))).toBe(false);
  });

  it('answers whole completions with usage and the cost header', async () => {
    const response = await chat({});
    const body = await json(response);
    expect(response.headers.get('x-litellm-response-cost')).toMatch(/^\d/);
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'mock-model',
      choices: [{ index: 0, message: { role: 'assistant' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) },
    });
    expect(body.choices[0].message.content).toContain('> Hello mock');
  });

  it('writes a system prompt for prompt-generation requests', async () => {
    const body = await json(
      await chat({
        messages: [
          {
            role: 'system',
            content: 'You write system prompts. Write a system prompt for the chatbot described.',
          },
          { role: 'user', content: 'A tutor for algebra' },
        ],
      }),
    );
    expect(body.choices[0].message.content).toMatch(
      /^You are a helpful assistant for the following purpose: A tutor for algebra/,
    );
  });

  it('records requests with headers and parsed bodies', async () => {
    await chat({ temperature: 0.2 });
    expect(mock.requests).toHaveLength(1);
    expect(mock.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions',
      body: { temperature: 0.2 },
    });
    expect(mock.requests[0]?.headers.authorization).toBe('Bearer sk-mock');
  });

  it('requires the API key', async () => {
    const response = await chat({}, { 'content-type': 'application/json' });
    expect(response.status).toBe(401);
    expect((await json(response)).error).toMatchObject({
      message: expect.any(String),
      type: 'auth_error',
      code: '401',
    });
  });

  it('answers 400 to a request without messages', async () => {
    expect((await chat({ messages: [] })).status).toBe(400);
  });
});

describe('mock-llm faults', () => {
  it('applies an enqueued error to the next request only (LiteLLM relays no Retry-After)', async () => {
    mock.enqueue({ status: 429, retryAfter: 2, retryAfterMs: 2000 });
    const first = await chat({ stream: true });
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBeNull();
    expect(first.headers.get('retry-after-ms')).toBeNull();
    expect((await json(first)).error).toMatchObject({ type: 'throttling_error', code: '429' });
    expect((await chat({ stream: true })).status).toBe(200);
  });

  it('reads faults from a marker in the last user message and keeps it out of the answer', async () => {
    const response = await chat({
      messages: [{ role: 'user', content: 'Hi [[mock:error=context_length]]' }],
    });
    expect(response.status).toBe(400);
    expect((await json(response)).error).toMatchObject({
      code: '400',
      message: expect.stringMatching(/^litellm\.ContextWindowExceededError/),
    });
    const body = await json(
      await chat({ messages: [{ role: 'user', content: 'Quote me [[mock:slow=0]]' }] }),
    );
    expect(body.choices[0].message.content).toContain('> Quote me');
    expect(body.choices[0].message.content).not.toContain('[[mock');
  });

  it('sends an in-band error after output, without [DONE]', async () => {
    const lines = dataLines(
      await (
        await chat({ stream: true, messages: [{ role: 'user', content: '[[mock:inband-error-after=2]]' }] })
      ).text(),
    );
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[2] as string).error).toMatchObject({ code: '500' });
  });

  it('hides a provider cut as a normal end on the default transport (aiohttp)', async () => {
    const lines = dataLines(
      await (
        await chat({ stream: true, messages: [{ role: 'user', content: '[[mock:cut-after=2]]' }] })
      ).text(),
    );
    expect(lines).toHaveLength(4);
    expect(lines[2]).toContain('"finish_reason":"stop"');
    expect(lines.at(-1)).toBe('[DONE]');
  });

  it('sends a malformed chunk', async () => {
    const lines = dataLines(
      await (
        await chat({ stream: true, messages: [{ role: 'user', content: '[[mock:malformed-after=1]]' }] })
      ).text(),
    );
    expect(() => JSON.parse(lines.at(-1) as string)).toThrow();
  });

  it('notices when a client goes away mid-stream', async () => {
    const gone = mock.waitForClientGone();
    const response = await chat({
      stream: true,
      messages: [{ role: 'user', content: '[[mock:endless,slow=5]]' }],
    });
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    const event = await gone;
    expect(event.path).toBe('/v1/chat/completions');
    expect(mock.clientsGone).toContain(event);
  });

  it('parses marker syntax', () => {
    expect(parseFaultMarkers('a [[mock:status=429,retryAfter=1]] b [[mock:hang]]')).toEqual({
      fault: { status: 429, retryAfter: 1, hang: true },
      text: 'a  b',
    });
    expect(parseFaultMarkers('plain').fault).toBeNull();
  });
});

describe('mock-llm model lists', () => {
  it('serves /v1/models, /model/info and /model_group/info in LiteLLM shape', async () => {
    const models = await json(await fetch(`${mock.url}/models`, { headers: auth }));
    expect(models).toEqual({
      object: 'list',
      data: [expect.objectContaining({ id: 'mock-model', object: 'model', owned_by: 'openai' })],
    });
    const deployments = await json(
      await fetch(`${mock.url.replace(/\/v1$/, '')}/model/info`, { headers: auth }),
    );
    expect(deployments.data).toEqual([
      expect.objectContaining({
        model_name: 'mock-model',
        model_info: expect.objectContaining({ id: expect.any(String) }),
      }),
    ]);
    const origin = mock.url.replace(/\/v1$/, '');
    const info = await json(await fetch(`${origin}/model_group/info`, { headers: auth }));
    expect(info.data[0]).toMatchObject({
      model_group: 'mock-model',
      providers: ['openai'],
      max_input_tokens: expect.any(Number),
      max_output_tokens: expect.any(Number),
      input_cost_per_token: expect.any(Number),
      output_cost_per_token: expect.any(Number),
      mode: 'chat',
      supported_openai_params: expect.arrayContaining(['temperature', 'max_tokens', 'stream']),
    });
  });
});
