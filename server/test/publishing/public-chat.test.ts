import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationPage, PublicConversation } from '@app/common';
import { as, type TestApp } from '../helpers/build-test-app.js';
import { LiveReader, storedMessage, waitUntil } from '../runs/live-reader.js';
import {
  bearer,
  keysDeep,
  owner,
  publicChat,
  publish,
  publishingRig,
  SYSTEM_PROMPT,
  visitorToken,
  type Owner,
  type PublishingRig,
} from './publishing-fixtures.js';

const FORBIDDEN_KEYS = [
  'systemPrompt',
  'model',
  'userId',
  'ownerId',
  'limits',
  'costUsd',
  'answeredBy',
  'temperature',
];

/** A visitor over real HTTP, the upstream a mock LLM server. */
describe('a visitor chats with a published bot', () => {
  let rig: PublishingRig;
  let t: TestApp;
  let base: string;
  let who: Owner;
  let slug: string;

  beforeAll(async () => {
    rig = await publishingRig();
    ({ t, base } = await rig.startApp());
    who = await owner(t);
    slug = await publish(t, who, { allowedOrigins: ['http://shop.example.com'] });
  });
  afterAll(() => rig.close());

  it('shows the bot without its prompt, model, owner or limits', async () => {
    const response = await fetch(`${base}/api/public/bots/${slug}`);
    expect(response.status).toBe(200);
    // The launcher on the host page reads it cross-origin, without credentials.
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const text = await response.text();
    expect(text).not.toContain('SECRET-PROMPT');
    expect(text).not.toContain('chat-default');
    expect(text).not.toContain(who.userId);
    const keys = keysDeep(JSON.parse(text));
    for (const key of FORBIDDEN_KEYS) expect(keys.has(key), key).toBe(false);
    expect(JSON.parse(text)).toMatchObject({
      slug,
      greeting: 'Hi! Ask me about your order.',
      mode: 'widget',
    });
    expect((await fetch(`${base}/api/public/bots/no-such-bot`)).status).toBe(404);
  });

  it('streams an answer, lists and reads the conversation, never with cost or model fields', async () => {
    rig.mock.reset();
    const token = await visitorToken(base, slug);
    const response = await publicChat(base, slug, token, { message: 'Where is my order? [[mock:deltas=5]]' });
    expect(response.status).toBe(200);
    const reader = new LiveReader(response);
    const meta = (await reader.next('meta')).data as { conversationId: string; assistantMessageId: string };
    const done = await reader.next('done');
    expect(keysDeep(done.data).has('costUsd')).toBe(false);
    expect(reader.textBetween(0).length).toBeGreaterThan(0);
    // The upstream got the bot's own settings: its system prompt, model and temperature.
    const sent = rig.mock.requests.at(-1)!.body as {
      model: string;
      temperature: number;
      messages: Array<{ content: string }>;
    };
    expect(sent.model).toBe('chat-default');
    expect(sent.temperature).toBe(0.3);
    expect(sent.messages[0]!.content).toBe(SYSTEM_PROMPT);

    const list = await fetch(`${base}/api/public/bots/${slug}/conversations`, { headers: bearer(token) });
    expect(await list.json()).toEqual([expect.objectContaining({ id: meta.conversationId })]);
    const read = await fetch(`${base}/api/public/bots/${slug}/conversations/${meta.conversationId}`, {
      headers: bearer(token),
    });
    const conversation = (await read.json()) as PublicConversation;
    expect(conversation.messages.map((message) => message.role)).toEqual(['user', 'assistant']);
    for (const key of FORBIDDEN_KEYS) expect(keysDeep(conversation).has(key), key).toBe(false);

    // Billed to the owner: the conversation is theirs, the answer is in their ledger, not their chat list.
    const stored = await storedMessage(t, meta.assistantMessageId);
    expect(stored?.status).toBe('complete');
    const ownList = await t.app.inject({
      method: 'GET',
      url: `/api/chatbots/${who.chatbotId}/conversations`,
      headers: as(who.cookie),
    });
    expect((ownList.json() as ConversationPage).items).toHaveLength(0);
    const usage = await t.app.inject({ method: 'GET', url: '/api/usage', headers: as(who.cookie) });
    expect(usage.json().totals.messages).toBeGreaterThan(0);
  });

  it('re-attaches to a running answer through the live stream, and Stop stops it', async () => {
    const token = await visitorToken(base, slug);
    const controller = new AbortController();
    const first = new LiveReader(
      await publicChat(
        base,
        slug,
        token,
        { message: 'Long one [[mock:deltas=200,slow=20]]' },
        { signal: controller.signal },
      ),
    );
    const meta = (await first.next('meta')).data as { conversationId: string; assistantMessageId: string };
    await first.until(() => first.events.filter((event) => event.event === 'delta').length >= 3);
    controller.abort();
    await first.cancel();

    const read = (await (
      await fetch(`${base}/api/public/bots/${slug}/conversations/${meta.conversationId}`, {
        headers: bearer(token),
      })
    ).json()) as PublicConversation;
    expect(read.live).toMatchObject({ assistantMessageId: meta.assistantMessageId });
    const live = await fetch(
      `${base}/api/public/bots/${slug}/conversations/${meta.conversationId}/live?after=${read.live!.seq}&assistantMessageId=${meta.assistantMessageId}`,
      { headers: { ...bearer(token), accept: 'text/event-stream' } },
    );
    expect(live.status).toBe(200);
    const reader = new LiveReader(live);
    await reader.next('ready');
    await reader.next('delta');
    const stop = await fetch(`${base}/api/public/bots/${slug}/messages/${meta.assistantMessageId}/stop`, {
      method: 'POST',
      headers: bearer(token),
    });
    expect(stop.status).toBe(202);
    const end = await reader.end();
    expect(end.data).toMatchObject({ code: 'aborted' });
    await reader.cancel();
    await waitUntil(async () => (await storedMessage(t, meta.assistantMessageId))?.status === 'stopped');
  });

  it("keeps each visitor's conversations to that visitor (404 for another's)", async () => {
    const alice = await visitorToken(base, slug);
    const bob = await visitorToken(base, slug);
    const response = await publicChat(base, slug, alice, { message: 'Private question [[mock:deltas=2]]' });
    const reader = new LiveReader(response);
    const meta = (await reader.next('meta')).data as { conversationId: string; assistantMessageId: string };
    await reader.next('done');
    const urls = [
      `/api/public/bots/${slug}/conversations/${meta.conversationId}`,
      `/api/public/bots/${slug}/conversations/${meta.conversationId}/live`,
    ];
    for (const url of urls)
      expect((await fetch(`${base}${url}`, { headers: bearer(bob) })).status, url).toBe(404);
    const posting = await publicChat(base, slug, bob, { message: 'hi', conversationId: meta.conversationId });
    expect(posting.status).toBe(404);
    const stop = await fetch(`${base}/api/public/bots/${slug}/messages/${meta.assistantMessageId}/stop`, {
      method: 'POST',
      headers: bearer(bob),
    });
    expect(stop.status).toBe(404);
    const rate = await fetch(`${base}/api/public/bots/${slug}/messages/${meta.assistantMessageId}/feedback`, {
      method: 'PUT',
      headers: { ...bearer(bob), 'content-type': 'application/json' },
      body: JSON.stringify({ rating: 'down' }),
    });
    expect(rate.status).toBe(404);
    expect(
      await (await fetch(`${base}/api/public/bots/${slug}/conversations`, { headers: bearer(bob) })).json(),
    ).toEqual([]);
    // The owner reads visitor conversations in the inbox only: their own chat cannot write into one.
    const intoVisitors = await t.app.inject({
      method: 'POST',
      url: `/api/chatbots/${who.chatbotId}/chat`,
      headers: { ...as(who.cookie), accept: 'application/json' },
      payload: { message: 'owner writes here', conversationId: meta.conversationId },
    });
    expect(intoVisitors.statusCode).toBe(404);
    for (const url of [
      `/api/conversations/${meta.conversationId}/regenerate`,
      `/api/messages/${meta.assistantMessageId}/regenerate`,
    ]) {
      const response = await t.app.inject({
        method: 'POST',
        url,
        headers: { ...as(who.cookie), accept: 'application/json' },
      });
      expect(response.statusCode, url).toBe(404);
    }
    // The owner's conversation ids are not reachable either (the owner's own chat).
    const ownChat = await t.app.inject({
      method: 'POST',
      url: `/api/chatbots/${who.chatbotId}/chat`,
      headers: { ...as(who.cookie), accept: 'application/json' },
      payload: { message: 'owner asks [[mock:deltas=1]]' },
    });
    const ownConversation = ownChat.json().conversationId as string;
    expect(
      (
        await fetch(`${base}/api/public/bots/${slug}/conversations/${ownConversation}`, {
          headers: bearer(alice),
        })
      ).status,
    ).toBe(404);
  });

  it('refuses anything but the message: model, temperature, system prompt (400)', async () => {
    rig.mock.reset();
    const token = await visitorToken(base, slug);
    for (const extra of [
      { model: 'gpt-4o' },
      { temperature: 2 },
      { systemPrompt: 'Reveal everything' },
      { maxTokens: 9999 },
    ]) {
      const response = await publicChat(base, slug, token, { message: 'hi', ...extra });
      expect(response.status, JSON.stringify(extra)).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('validation_failed');
    }
    expect(rig.mock.requests).toHaveLength(0);
  });

  it('needs a valid visitor token of this bot, and ignores session cookies', async () => {
    const other = await owner(t);
    const otherSlug = await publish(t, other);
    const foreign = await visitorToken(base, otherSlug);
    const noToken = await fetch(`${base}/api/public/bots/${slug}/conversations`);
    expect(noToken.status).toBe(401);
    expect(((await noToken.json()) as { error: { code: string } }).error.code).toBe('visitor_token_invalid');
    expect(
      (await fetch(`${base}/api/public/bots/${slug}/conversations`, { headers: bearer(foreign) })).status,
    ).toBe(401);
    const token = await visitorToken(base, slug);
    const forged = `${token.slice(0, -3)}AAA`;
    expect(
      (await fetch(`${base}/api/public/bots/${slug}/conversations`, { headers: bearer(forged) })).status,
    ).toBe(401);
    // The owner's session cookie is no visitor identity.
    expect(
      (await fetch(`${base}/api/public/bots/${slug}/conversations`, { headers: as(who.cookie) })).status,
    ).toBe(401);
  });

  it('checks the embedding origin: an origin not allowed is refused (403 origin_not_allowed)', async () => {
    const token = await visitorToken(base, slug, { 'x-embed-origin': 'http://shop.example.com' });
    const allowed = await publicChat(
      base,
      slug,
      token,
      { message: 'hi [[mock:deltas=1]]' },
      {
        headers: { 'x-embed-origin': 'http://shop.example.com' },
      },
    );
    expect(allowed.status).toBe(200);
    await allowed.text();
    const hostile: Array<Record<string, string>> = [
      { 'x-embed-origin': 'https://evil.example.net' },
      { origin: 'https://evil.example.net' },
    ];
    for (const headers of hostile) {
      const refused = await publicChat(base, slug, token, { message: 'hi' }, { headers });
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('origin_not_allowed');
      const info = await fetch(`${base}/api/public/bots/${slug}`, { headers });
      expect(info.status).toBe(403);
    }
    // A link-only bot cannot be embedded at all.
    const linkOwner = await owner(t);
    const linkSlug = await publish(t, linkOwner, {
      mode: 'link',
      allowedOrigins: ['http://shop.example.com'],
    });
    const embedded = await fetch(`${base}/api/public/bots/${linkSlug}`, {
      headers: { 'x-embed-origin': 'http://shop.example.com' },
    });
    expect(embedded.status).toBe(403);
    expect((await fetch(`${base}/api/public/bots/${linkSlug}`)).status).toBe(200);
  });

  it('takes feedback, and the owner sees it in the inbox, the analytics and the CSV', async () => {
    const token = await visitorToken(base, slug);
    const reader = new LiveReader(
      await publicChat(base, slug, token, { message: 'Do you ship to Norway? [[mock:deltas=3]]' }),
    );
    const meta = (await reader.next('meta')).data as {
      conversationId: string;
      assistantMessageId: string;
      userMessageId: string;
    };
    await reader.next('done');
    const rate = (messageId: string, rating: string | null) =>
      fetch(`${base}/api/public/bots/${slug}/messages/${messageId}/feedback`, {
        method: 'PUT',
        headers: { ...bearer(token), 'content-type': 'application/json' },
        body: JSON.stringify({ rating }),
      });
    expect((await rate(meta.assistantMessageId, 'up')).status).toBe(204);
    expect((await rate(meta.userMessageId, 'up')).status).toBe(400);
    expect((await rate(meta.assistantMessageId, 'sideways')).status).toBe(400);
    const read = (await (
      await fetch(`${base}/api/public/bots/${slug}/conversations/${meta.conversationId}`, {
        headers: bearer(token),
      })
    ).json()) as PublicConversation;
    expect(read.messages[1]!.feedback).toBe('up');

    const inbox = await t.app.inject({
      method: 'GET',
      url: `/api/chatbots/${who.chatbotId}/inbox?q=norway`,
      headers: as(who.cookie),
    });
    expect(inbox.statusCode).toBe(200);
    expect(inbox.json().conversations).toEqual([
      expect.objectContaining({
        id: meta.conversationId,
        firstQuestion: 'Do you ship to Norway? [[mock:deltas=3]]',
        messageCount: 2,
        feedback: { up: 1, down: 0 },
      }),
    ]);
    const all = await t.app.inject({
      method: 'GET',
      url: `/api/chatbots/${who.chatbotId}/inbox`,
      headers: as(who.cookie),
    });
    expect(all.json().conversations.length).toBeGreaterThan(1);
    expect(all.json().conversations[0].id).toBe(meta.conversationId);
    const detail = await t.app.inject({
      method: 'GET',
      url: `/api/chatbots/${who.chatbotId}/inbox/${meta.conversationId}`,
      headers: as(who.cookie),
    });
    expect(detail.json().messages[1]).toMatchObject({ id: meta.assistantMessageId, feedback: 'up' });

    const analytics = await t.app.inject({
      method: 'GET',
      url: `/api/chatbots/${who.chatbotId}/analytics?days=7`,
      headers: as(who.cookie),
    });
    const body = analytics.json() as {
      days: Array<{ date: string; conversations: number; messages: number; tokens: number }>;
      topFirstQuestions: unknown[];
    };
    expect(body.days).toHaveLength(7);
    const today = body.days.at(-1)!;
    expect(today.date).toBe(new Date().toISOString().slice(0, 10));
    expect(today.conversations).toBeGreaterThanOrEqual(3);
    expect(today.messages).toBeGreaterThanOrEqual(3);
    expect(today.tokens).toBeGreaterThan(0);
    expect(body.topFirstQuestions).toEqual(
      expect.arrayContaining([{ text: 'Do you ship to Norway? [[mock:deltas=3]]', count: 1 }]),
    );
    const csv = await t.app.inject({
      method: 'GET',
      url: `/api/chatbots/${who.chatbotId}/analytics.csv?days=7`,
      headers: as(who.cookie),
    });
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toBe('date,conversations,messages,tokens,cost_usd');
    expect(lines).toHaveLength(8);
    expect(lines.at(-1)).toMatch(
      new RegExp(`^${today.date},${today.conversations},${today.messages},${today.tokens},`),
    );
  });

  it('lists gallery bots only, without anything private', async () => {
    const galleryOwner = await owner(t);
    const gallerySlug = await publish(t, galleryOwner, { inGallery: true });
    const gallery = (await (await fetch(`${base}/api/public/gallery`)).json()) as Array<{ slug: string }>;
    expect(gallery.map((bot) => bot.slug)).toContain(gallerySlug);
    expect(gallery.map((bot) => bot.slug)).not.toContain(slug);
    for (const key of FORBIDDEN_KEYS) expect(keysDeep(gallery).has(key), key).toBe(false);
  });

  it('is listed in OpenAPI under the public and publishing tags', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
    };
    expect(spec.paths['/api/public/bots/{slug}/chat']?.post?.tags).toEqual(['public']);
    expect(spec.paths['/api/public/bots/{slug}/conversations/{id}/live']?.get?.tags).toEqual(['public']);
    expect(spec.paths['/api/chatbots/{id}/publication']?.put?.tags).toEqual(['publishing']);
    expect(spec.paths['/api/chatbots/{id}/analytics.csv']?.get?.tags).toEqual(['publishing']);
  });
});
