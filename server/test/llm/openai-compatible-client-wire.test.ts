import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultDeploymentId, startMockLlm, type MockLlm } from '@app/mock-llm';
import { clientFor, collect, terminal, textOf, user } from './stream-helpers.js';

let mock: MockLlm;

beforeAll(async () => {
  mock = await startMockLlm({ apiKey: 'sk-test-key' });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const lastBody = () => mock.requests.at(-1)?.body as Record<string, unknown>;

describe('OpenAICompatibleClient on the wire', () => {
  it('sends the request to the base URL with the key, the alias verbatim and the options', async () => {
    const client = clientFor(mock);
    await collect(
      client.chatStream([{ role: 'system', content: 'Be brief.' }, ...user('Hello')], {
        model: 'team/Fancy-Model:v2',
        temperature: 0.3,
        maxTokens: 42,
        endUserId: 'user-7',
        metadata: { chatbotId: 'bot-1' },
      }),
    );
    const request = mock.requests.at(-1);
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers.authorization).toBe('Bearer sk-test-key');
    expect(lastBody()).toMatchObject({
      model: 'team/Fancy-Model:v2',
      temperature: 0.3,
      max_tokens: 42,
      user: 'user-7',
      metadata: { chatbotId: 'bot-1' },
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
      ],
    });
  });

  it('falls back to the default model and leaves unset options off the wire', async () => {
    await collect(clientFor(mock, { defaultModel: 'chat-default' }).chatStream(user('Hi')));
    const body = lastBody();
    expect(body.model).toBe('chat-default');
    expect(body).not.toHaveProperty('temperature');
    expect(body).not.toHaveProperty('max_tokens');
    expect(body).not.toHaveProperty('user');
  });

  it('streams start, the deltas in order, then done with usage, cost and upstream info', async () => {
    const events = await collect(clientFor(mock).chatStream(user('Count [[mock:deltas=5]]')));
    // A LiteLLM 1.81 stream names its deployment, not its model group or fallbacks (fallback-stream).
    expect(events[0]).toMatchObject({
      type: 'start',
      modelGroup: null,
      attemptedFallbacks: null,
      deploymentId: defaultDeploymentId('mock-model'),
    });
    expect(events.slice(1, -1).map((event) => event.type)).toEqual([
      'delta',
      'delta',
      'delta',
      'delta',
      'delta',
    ]);
    expect(textOf(events)).toBe('Hello! I’m the built-in **demo');
    const done = terminal(events);
    expect(done).toMatchObject({
      type: 'done',
      finishReason: 'stop',
      usage: { promptTokens: expect.any(Number), completionTokens: 5 },
      info: { model: 'mock-model', modelGroup: null, deploymentId: defaultDeploymentId('mock-model') },
    });
    if (done.type === 'done') expect(done.info).not.toHaveProperty('completionSwitched');
    if (done.type !== 'done') throw new Error('expected done');
    expect(done.costUsd).toBeGreaterThan(0);
    expect(done.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    expect(done.info.requestId).toMatch(/[0-9a-f-]{36}/);
  });

  it('reports finish reason "length" when max tokens cut the answer', async () => {
    const events = await collect(clientFor(mock).chatStream(user('Long'), { maxTokens: 3 }));
    expect(events.filter((event) => event.type === 'delta')).toHaveLength(3);
    expect(terminal(events)).toMatchObject({ type: 'done', finishReason: 'length' });
  });

  it('copes with an upstream that sends no usage when it is optional', async () => {
    const events = await collect(
      clientFor(mock, { streamUsage: 'optional' }).chatStream(user('No usage [[mock:no-usage,deltas=2]]')),
    );
    expect(terminal(events)).toMatchObject({
      type: 'done',
      finishReason: 'stop',
      usage: null,
      costUsd: null,
    });
  });

  it('generates a whole answer with usage and the cost header', async () => {
    const result = await clientFor(mock).generate(user('Write something [[mock:deltas=4]]'), {
      model: 'mock-model',
      temperature: 1,
      maxTokens: 100,
    });
    expect(lastBody()).toMatchObject({ model: 'mock-model', temperature: 1, max_tokens: 100 });
    expect(lastBody().stream).toBe(false);
    expect(result.text).toBe('Hello! I’m the built-in');
    expect(result).toMatchObject({
      finishReason: 'stop',
      model: 'mock-model',
      modelGroup: 'mock-model',
      usage: { completionTokens: 4 },
    });
    expect(result.costUsd).toBeGreaterThan(0);
    expect(result.requestId).toBeTruthy();
  });

  it('reports a switch of completion mid-stream (LiteLLM’s mid-stream fallback) as neutral info', async () => {
    const proxy = await startMockLlm({
      apiKey: 'sk-test-key',
      models: [
        { id: 'chat-default', provider: 'openai' },
        { id: 'claude-default', provider: 'anthropic', fallbacks: ['chat-default'] },
      ],
    });
    try {
      const client = clientFor(proxy);
      const cut = user('Hi [[mock:cut-after=3,transport=httpx]]');
      const events = await collect(client.chatStream(cut, { model: 'claude-default' }));
      const done = terminal(events);
      if (done.type !== 'done') throw new Error(`expected done, got ${JSON.stringify(done)}`);
      // The headers still name the deployment that failed; only the chunk ids tell.
      expect(done.info).toMatchObject({
        completionSwitched: true,
        deploymentId: defaultDeploymentId('claude-default'),
        model: 'claude-default',
      });
      const plain = terminal(await collect(client.chatStream(user('Hi'), { model: 'claude-default' })));
      expect(plain.type === 'done' && plain.info.completionSwitched).toBeFalsy();
    } finally {
      await proxy.close();
    }
  });

  it('does not read an upstream that gives every chunk its own id as switching completions', async () => {
    let n = 0;
    const chunk = (delta: object, finish: string | null) =>
      `data: ${JSON.stringify({ id: `c-${n++}`, object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const upstream = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        const pieces = ['One', ' two', ' three', ' four'].map((text) => chunk({ content: text }, null));
        response.end(`${pieces.join('')}${chunk({}, 'stop')}data: [DONE]\n\n`);
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const { port } = upstream.address() as AddressInfo;
    try {
      const client = clientFor(mock, { baseURL: `http://127.0.0.1:${port}/v1` });
      const done = terminal(await collect(client.chatStream(user('Hi'))));
      // No usage chunk either: not LiteLLM or OpenAI, so optional under `auto`.
      expect(done).toMatchObject({ type: 'done', finishReason: 'stop', usage: null });
      expect(done.type === 'done' && done.info.completionSwitched).toBeFalsy();
    } finally {
      upstream.closeAllConnections();
      await new Promise((resolve) => upstream.close(resolve));
    }
  });

  it('does not send metadata when told not to (OpenAI direct)', async () => {
    await collect(clientFor(mock, { sendMetadata: false }).chatStream(user('Hi'), { metadata: { a: 'b' } }));
    expect(lastBody()).not.toHaveProperty('metadata');
  });

  it('streams every answer over one kept-alive connection', async () => {
    const chunk = (delta: object, finish: string | null) =>
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const upstream = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.end(`${chunk({ content: 'Hi' }, null)}${chunk({}, 'stop')}data: [DONE]\n\n`);
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const { port } = upstream.address() as AddressInfo;
    try {
      const client = clientFor(mock, { baseURL: `http://127.0.0.1:${port}/v1` });
      let connections = 0;
      upstream.on('connection', () => connections++);
      for (let turn = 0; turn < 5; turn++) {
        const events = await collect(client.chatStream(user('Hi')));
        expect(textOf(events)).toBe('Hi');
        expect(terminal(events)).toMatchObject({ type: 'done', finishReason: 'stop' });
      }
      expect(connections).toBe(1);
    } finally {
      upstream.closeAllConnections();
      await new Promise((resolve) => upstream.close(resolve));
    }
  });
});
