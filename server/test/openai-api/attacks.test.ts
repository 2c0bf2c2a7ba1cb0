import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, TEST_ORIGIN } from '../helpers/build-test-app.js';
import { createChatbot, createKey, newOwner, startApiFixture, type ApiFixture } from './openai-fixtures.js';

const ask = (sdk: OpenAI, model: string) =>
  sdk.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });

/** What a key must not be able to do, and what must never be seen. */
describe('chatbot API attacks', () => {
  let f: ApiFixture;
  let alice: { cookie: string };
  let bob: { cookie: string };
  let inScope: { id: string };
  let outOfScope: { id: string };
  let bobsBot: { id: string };
  let scoped: { secret: string; key: { id: string } };

  beforeAll(async () => {
    f = await startApiFixture();
    alice = await newOwner(f.t, 'alice-api@example.com');
    bob = await newOwner(f.t, 'bob-api@example.com');
    inScope = await createChatbot(f.t, alice.cookie, { name: 'Scoped bot' });
    outOfScope = await createChatbot(f.t, alice.cookie, { name: 'Other bot' });
    bobsBot = await createChatbot(f.t, bob.cookie, { name: 'Bobs bot' });
    scoped = await createKey(f.t, alice.cookie, { chatbotIds: [inScope.id] });
  });
  afterAll(() => f.close());

  const sdkOf = (secret: string) => new OpenAI({ baseURL: `${f.base}/v1`, apiKey: secret, maxRetries: 0 });

  it('a key reaches only the chatbots in its scope (404 otherwise, by slug or id)', async () => {
    const sdk = sdkOf(scoped.secret);
    expect((await sdk.models.list()).data.map((model) => model.id)).toEqual(['scoped-bot']);
    await expect(ask(sdk, 'scoped-bot')).resolves.toBeDefined();
    await expect(ask(sdk, inScope.id)).resolves.toBeDefined();
    await expect(ask(sdk, 'other-bot')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(ask(sdk, outOfScope.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("a key never reaches another user's chatbot (404)", async () => {
    const sdk = sdkOf((await createKey(f.t, alice.cookie)).secret);
    await expect(ask(sdk, bobsBot.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(ask(sdk, 'bobs-bot')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("a key cannot be scoped to another user's chatbot", async () => {
    const response = await f.t.app.inject({
      method: 'POST',
      url: '/api/api-keys',
      headers: as(alice.cookie),
      payload: { name: 'Sneaky', chatbotIds: [bobsBot.id] },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.details[0].field).toBe('chatbotIds');
  });

  it('another user cannot revoke or list my key', async () => {
    const revoke = await f.t.app.inject({
      method: 'DELETE',
      url: `/api/api-keys/${scoped.key.id}`,
      headers: as(bob.cookie),
    });
    expect(revoke.statusCode).toBe(404);
    const list = await f.t.app.inject({ method: 'GET', url: '/api/api-keys', headers: as(bob.cookie) });
    expect(list.json().keys).toEqual([]);
  });

  it('cookies are ignored on /v1 and no origin check applies to a bearer call', async () => {
    const withCookieOnly = await fetch(`${f.base}/v1/models`, { headers: { cookie: alice.cookie } });
    expect(withCookieOnly.status).toBe(401);
    expect(((await withCookieOnly.json()) as { error: unknown }).error).toMatchObject({
      type: 'invalid_request_error',
      code: 'invalid_api_key',
    });
    const crossOrigin = await fetch(`${f.base}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${scoped.secret}`,
        origin: 'https://evil.example',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ model: 'scoped-bot', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(crossOrigin.status).toBe(200);
  });

  it('the secret is never in a response after creation', async () => {
    const list = await f.t.app.inject({ method: 'GET', url: '/api/api-keys', headers: as(alice.cookie) });
    expect(list.body).not.toContain(scoped.secret);
    expect(list.body).not.toContain(scoped.secret.slice(12));
    const completion = await fetch(`${f.base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${scoped.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'scoped-bot', messages: [{ role: 'user', content: 'hi' }] }),
    });
    const text = await completion.text();
    expect(text).not.toContain(scoped.secret);
    expect(JSON.stringify([...completion.headers])).not.toContain(scoped.secret);
  });

  it('a revoked key fails at once on this instance', async () => {
    const key = await createKey(f.t, alice.cookie);
    const sdk = sdkOf(key.secret);
    await expect(sdk.models.list()).resolves.toBeDefined();
    const revoke = await f.t.app.inject({
      method: 'DELETE',
      url: `/api/api-keys/${key.key.id}`,
      headers: { ...as(alice.cookie), origin: TEST_ORIGIN },
    });
    expect(revoke.statusCode).toBe(204);
    await expect(sdk.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('an expired key fails', async () => {
    const key = await createKey(f.t, alice.cookie, { expiresAt: new Date(Date.now() + 1500).toISOString() });
    const sdk = sdkOf(key.secret);
    await expect(sdk.models.list()).resolves.toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 1600));
    await expect(sdk.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });
});
