import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { as } from '../helpers/build-test-app.js';
import { createChatbot, createKey, newOwner, startApiFixture, type ApiFixture } from './openai-fixtures.js';

/** The bytes on the wire, function calls through the mock, aborts, stored history. */
describe('chatbot API wire', () => {
  let f: ApiFixture;
  let cookie: string;
  let secret: string;
  let sdk: OpenAI;
  let botId: string;

  beforeAll(async () => {
    f = await startApiFixture({ interTokenMs: 2 });
    ({ cookie } = await newOwner(f.t, 'wire-owner@example.com'));
    botId = (await createChatbot(f.t, cookie, { name: 'Wire bot' })).id;
    ({ secret } = await createKey(f.t, cookie));
    sdk = new OpenAI({ baseURL: `${f.base}/v1`, apiKey: secret, maxRetries: 0 });
  });
  afterAll(() => f.close());
  beforeEach(() => f.mock.reset());

  const post = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    fetch(`${f.base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model: 'wire-bot', messages: [{ role: 'user', content: 'Hi' }], ...body }),
    });

  it('frames a stream byte for byte as OpenAI does: data: {json}\\n\\n … data: [DONE]\\n\\n', async () => {
    const response = await post({ stream: true, stream_options: { include_usage: true } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const raw = await response.text();
    expect(raw.endsWith('data: [DONE]\n\n')).toBe(true);
    const frames = raw.split('\n\n');
    expect(frames.pop()).toBe('');
    expect(frames.pop()).toBe('data: [DONE]');
    for (const frame of frames) {
      expect(frame.startsWith('data: {')).toBe(true);
      expect(frame).not.toContain('\n');
      expect(frame).not.toMatch(/^event:|^id:/m);
    }
    const chunks = frames.map((frame) => JSON.parse(frame.slice(6)));
    expect(chunks[0]).toEqual({
      id: expect.stringMatching(/^chatcmpl-/),
      object: 'chat.completion.chunk',
      created: expect.any(Number),
      model: 'wire-bot',
      choices: [
        {
          index: 0,
          delta: { role: 'assistant', content: '', refusal: null },
          logprobs: null,
          finish_reason: null,
        },
      ],
    });
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: expect.any(Number) } });
    expect(chunks.at(-2).choices[0]).toEqual({ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' });
  });

  it('without include_usage the stream has no usage chunk', async () => {
    const raw = await (await post({ stream: true })).text();
    const chunks = raw
      .split('\n\n')
      .filter((frame) => frame.startsWith('data: {'))
      .map((frame) => JSON.parse(frame.slice(6)));
    expect(chunks.every((chunk) => chunk.usage === undefined && chunk.choices.length === 1)).toBe(true);
  });

  it('an error answers in OpenAI shape with Retry-After on 429', async () => {
    f.mock.enqueue({ status: 429, retryAfter: 7 });
    const response = await post({});
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await response.json()) as { error: object };
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  });

  it('runs a tool call round trip through the mock with the SDK', async () => {
    const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
      {
        type: 'function',
        function: {
          name: 'lookup_order',
          description: 'Find an order',
          parameters: { type: 'object', properties: { input: { type: 'string' } } },
        },
      },
    ];
    const first = await sdk.chat.completions.create({
      model: 'wire-bot',
      messages: [{ role: 'user', content: 'Where is order 42?' }],
      tools,
    });
    const call = first.choices[0]!.message.tool_calls![0]!;
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    expect(call.type === 'function' && call.function.name).toBe('lookup_order');
    const upstream = f.mock.requests.at(-1)!.body as { tools: unknown };
    expect(upstream.tools).toEqual(tools);

    // Streamed: the SDK's helper assembles the pieces.
    const stream = sdk.chat.completions.stream({
      model: 'wire-bot',
      messages: [{ role: 'user', content: 'Where is order 42?' }],
      tools,
    });
    const streamed = await stream.finalChatCompletion();
    const streamedCall = streamed.choices[0]!.message.tool_calls![0]!;
    expect(streamedCall.type === 'function' && streamedCall.function.arguments).toBe(
      '{"input":"Where is order 42?"}',
    );

    const second = await sdk.chat.completions.create({
      model: 'wire-bot',
      messages: [
        { role: 'user', content: 'Where is order 42?' },
        first.choices[0]!.message,
        { role: 'tool', tool_call_id: call.id, content: 'shipped yesterday' },
      ],
      tools,
    });
    expect(second.choices[0]!.message.content).toBe('The tool answered: shipped yesterday');
    const sent = f.mock.requests.at(-1)!.body as { messages: Array<Record<string, unknown>> };
    expect(sent.messages.at(-1)).toEqual({
      role: 'tool',
      content: 'shipped yesterday',
      tool_call_id: call.id,
    });
    expect(sent.messages.at(-2)).toMatchObject({ role: 'assistant', tool_calls: [{ id: call.id }] });
  });

  it('a client that aborts a stream aborts the upstream', async () => {
    const controller = new AbortController();
    const gone = f.mock.waitForClientGone(5_000);
    const stream = await sdk.chat.completions.create(
      {
        model: 'wire-bot',
        messages: [{ role: 'user', content: 'Go on [[mock:endless]]' }],
        stream: true,
      },
      { signal: controller.signal },
    );
    let pieces = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) pieces++;
      if (pieces === 3) controller.abort();
    }
    const event = await gone;
    expect(event.path).toBe('/v1/chat/completions');
  });

  it('X-Chatbot-Store: true keeps the exchange as an API conversation of the bot', async () => {
    const before = await f.t.app.inject({
      method: 'GET',
      url: `/api/chatbots/${botId}/conversations`,
      headers: as(cookie),
    });
    const response = await post(
      { messages: [{ role: 'user', content: 'Keep this one' }] },
      { 'x-chatbot-store': 'true' },
    );
    expect(response.status).toBe(200);
    const after = await f.t.app.inject({
      method: 'GET',
      url: `/api/chatbots/${botId}/conversations`,
      headers: as(cookie),
    });
    const list = after.json().items as Array<{ id: string; title: string; source?: string }>;
    expect(list.length).toBe((before.json().items as unknown[]).length + 1);
    const stored = list.find((conversation) => conversation.title === 'Keep this one')!;
    expect(stored.source).toBe('api');
    expect(list.filter((conversation) => conversation.source === 'api')).toHaveLength(1);
    const read = await f.t.app.inject({
      method: 'GET',
      url: `/api/conversations/${stored.id}`,
      headers: as(cookie),
    });
    const messages = read.json().messages as Array<{ role: string; content: string }>;
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(messages[0]!.content).toBe('Keep this one');
  });
});
