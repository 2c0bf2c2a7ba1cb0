import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { as } from '../helpers/build-test-app.js';
import { createChatbot, createKey, newOwner, startApiFixture, type ApiFixture } from './openai-fixtures.js';

/** The real `openai` SDK against the running server over HTTP, the mock upstream behind it. */
describe('the chatbot API through the openai SDK', () => {
  let f: ApiFixture;
  let cookie: string;
  let sdk: OpenAI;
  let keyId: string;

  beforeAll(async () => {
    f = await startApiFixture();
    ({ cookie } = await newOwner(f.t, 'sdk-owner@example.com'));
    await createChatbot(f.t, cookie, { name: 'Support bot' });
    const created = await createKey(f.t, cookie);
    keyId = created.key.id;
    sdk = new OpenAI({ baseURL: `${f.base}/v1`, apiKey: created.secret, maxRetries: 0 });
  });
  afterAll(() => f.close());
  beforeEach(() => f.mock.reset());

  it('lists the chatbots the key may call, by slug', async () => {
    const page = await sdk.models.list();
    expect(page.data.map((model) => model.id)).toEqual(['support-bot']);
    expect(page.data[0]!.object).toBe('model');
  });

  it('answers a whole completion: system prompt first, then the caller messages', async () => {
    const completion = await sdk.chat.completions.create({
      model: 'support-bot',
      messages: [{ role: 'user', content: 'Hello there' }],
      max_tokens: 100,
      temperature: 0.3,
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('support-bot');
    expect(completion.choices[0]!.message.role).toBe('assistant');
    expect(completion.choices[0]!.message.content!.length).toBeGreaterThan(0);
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage!.total_tokens).toBe(
      completion.usage!.prompt_tokens + completion.usage!.completion_tokens,
    );
    const sent = f.mock.requests.at(-1)!.body as {
      messages: Array<{ role: string; content: string }>;
      max_tokens: number;
      temperature: number;
    };
    expect(sent.messages).toEqual([
      { role: 'system', content: 'You are the support bot.' },
      { role: 'user', content: 'Hello there' },
    ]);
    expect(sent.max_tokens).toBe(100);
    expect(sent.temperature).toBe(0.3);
  });

  it('streams with the usage chunk last when asked', async () => {
    const stream = await sdk.chat.completions.create({
      model: 'support-bot',
      messages: [{ role: 'user', content: 'Stream please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(text.length).toBeGreaterThan(0);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage!.completion_tokens).toBeGreaterThan(0);
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop');
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
  });

  it('records the usage with the key id, shown on the key list', async () => {
    await sdk.chat.completions.create({
      model: 'support-bot',
      messages: [{ role: 'user', content: 'Count me' }],
    });
    const list = await f.t.app.inject({ method: 'GET', url: '/api/api-keys', headers: as(cookie) });
    const key = (
      list.json().keys as Array<{ id: string; usage: { requests: number }; lastUsedAt: string }>
    ).find((entry) => entry.id === keyId)!;
    expect(key.usage.requests).toBeGreaterThan(0);
    expect(key.lastUsedAt).not.toBeNull();
    const month = new Date().toISOString().slice(0, 7);
    const byKey = await f.t.app.inject({
      method: 'GET',
      url: `/api/api-keys/usage?month=${month}`,
      headers: as(cookie),
    });
    expect(byKey.json()).toEqual([
      expect.objectContaining({ id: keyId, name: 'Test key', revoked: false, requests: key.usage.requests }),
    ]);
    const before = await f.t.app.inject({
      method: 'GET',
      url: '/api/api-keys/usage?month=2020-01',
      headers: as(cookie),
    });
    expect(before.json()).toEqual([]);
    expect(JSON.stringify(list.json())).not.toContain('secret');
  });

  it('maps each error status to the SDK error class', async () => {
    const bad = new OpenAI({ baseURL: `${f.base}/v1`, apiKey: 'cbk_nope', maxRetries: 0 });
    await expect(bad.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(
      sdk.chat.completions.create({ model: 'no-such-bot', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(
      sdk.chat.completions.create({
        model: 'support-bot',
        messages: [{ role: 'user', content: 'x' }],
        max_tokens: 100_000,
      }),
    ).rejects.toMatchObject({ status: 400, param: 'max_tokens' });
    await expect(
      sdk.chat.completions.create({
        model: 'support-bot',
        messages: [{ role: 'user', content: 'x' }],
        temperature: 5,
      }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    f.mock.enqueue({ status: 500 });
    await expect(
      sdk.chat.completions.create({ model: 'support-bot', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toBeInstanceOf(OpenAI.InternalServerError);
  });

  it('documents the routes in OpenAPI under their own tags, with the bearer scheme', async () => {
    const document = (await f.t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
      paths: Record<string, Record<string, { tags?: string[]; security?: unknown }>>;
      components: { securitySchemes: Record<string, { type: string; scheme?: string }> };
    };
    expect(document.paths['/v1/chat/completions']!.post!.tags).toEqual(['openai-compatible']);
    expect(document.paths['/v1/models']!.get!.tags).toEqual(['openai-compatible']);
    expect(document.paths['/v1/models']!.get!.security).toEqual([{ apiKey: [] }]);
    expect(document.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.paths['/api/api-keys']!.post!.tags).toEqual(['api-keys']);
  });

  it('refuses tools for a model without function calling with a clear 400', async () => {
    await createChatbot(f.t, cookie, { name: 'Plain bot', model: 'plain-default' });
    const error = await sdk.chat.completions
      .create({
        model: 'plain-bot',
        messages: [{ role: 'user', content: 'x' }],
        tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('tools');
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toContain('function calling');
  });
});
