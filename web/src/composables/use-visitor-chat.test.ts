import { describe, expect, it } from 'vitest';
import { effectScope } from 'vue';
import type { PublicBot } from '@app/common';
import { createPublicBotApi } from '../api/publishing-api';
import { apiError, createFakeFetch, json, streamOf, type FakeHandler } from '../test-support/fake-fetch';
import { useVisitorChat } from './use-visitor-chat';

const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
const usage = { promptTokens: 1, completionTokens: 2 };
const bot: PublicBot = {
  slug: 'helper',
  name: 'Helper',
  greeting: 'Hi there',
  suggestions: ['What can you do?'],
  appearance: {
    accent: '#0e7490',
    theme: 'auto',
    position: 'right',
    title: '',
    avatarUrl: null,
    launcherIcon: 'chat',
  },
  mode: 'widget',
};
const base = '/api/public/bots/helper';

function memoryStorage(initial: Record<string, string> = {}) {
  const map = new Map(Object.entries(initial));
  return {
    map,
    getItem: (key: string) => map.get(key) ?? null,
    setItem: (key: string, value: string) => void map.set(key, value),
    removeItem: (key: string) => void map.delete(key),
  };
}

function start(
  routes: Record<string, FakeHandler>,
  options: { storage?: ReturnType<typeof memoryStorage>; embedOrigin?: string } = {},
) {
  const fake = createFakeFetch({
    [`GET ${base}`]: () => json(bot),
    [`POST ${base}/visitors`]: () => json({ token: 'tok-1' }),
    [`GET ${base}/conversations`]: () => json([]),
    ...routes,
  });
  const storage = options.storage ?? memoryStorage();
  const scope = effectScope();
  const chat = scope.run(() =>
    useVisitorChat({
      slug: 'helper',
      embedOrigin: options.embedOrigin ?? null,
      client: createPublicBotApi(fake.fetch),
      storage,
    }),
  )!;
  return { chat, fake, storage, scope };
}

const settle = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(check()).toBe(true);
};

describe('useVisitorChat', () => {
  it('gets a visitor token once, keeps it, streams an answer and remembers the conversation', async () => {
    const { chat, fake, storage } = start({
      [`POST ${base}/chat`]: () =>
        new Response(
          streamOf([
            sse('meta', { conversationId: 'c1', userMessageId: 'u1', assistantMessageId: 'a1', seq: 0 }),
            sse('delta', { text: 'Hel', seq: 3 }),
            sse('delta', { text: 'lo', seq: 5 }),
            sse('done', { assistantMessageId: 'a1', finishReason: 'stop', usage, seq: 5 }),
          ]).body,
          { headers: { 'content-type': 'text/event-stream' } },
        ),
    });
    await chat.start();
    expect(chat.bot.value?.greeting).toBe('Hi there');
    expect(chat.status.value).toBe('ready');
    await chat.send('Hi');
    expect(chat.messages.value.map((m) => [m.id, m.role, m.content, m.status])).toEqual([
      ['u1', 'user', 'Hi', 'complete'],
      ['a1', 'assistant', 'Hello', 'complete'],
    ]);
    expect(storage.map.get('visitor-token:helper')).toBe('tok-1');
    expect(storage.map.get('visitor-conversation:helper')).toBe('c1');
    const chatCall = fake.calls.find((call) => call.method === 'POST' && call.path === `${base}/chat`)!;
    expect(chatCall.body).toEqual({ message: 'Hi' });
    expect(chatCall.headers.authorization).toBe('Bearer tok-1');
    expect(chatCall.headers['x-embed-origin']).toBeUndefined();
    expect(fake.calls.filter((call) => call.path === `${base}/visitors`)).toHaveLength(1);
  });

  it('sends the host page as X-Embed-Origin and says why when the origin is refused', async () => {
    const { chat, fake } = start(
      {
        [`GET ${base}`]: () =>
          apiError(403, 'origin_not_allowed', 'This website may not embed this chatbot.'),
      },
      { embedOrigin: 'http://localhost:9999' },
    );
    await chat.start();
    expect(chat.status.value).toBe('unavailable');
    expect(chat.unavailable.value?.code).toBe('origin_not_allowed');
    expect(fake.calls[0]?.headers['x-embed-origin']).toBe('http://localhost:9999');
  });

  it('after a reload, re-attaches to an answer still being written, from where the read stands', async () => {
    const storage = memoryStorage({ 'visitor-token:helper': 'tok-1', 'visitor-conversation:helper': 'c1' });
    const { chat, fake } = start(
      {
        [`GET ${base}/conversations/c1`]: () =>
          json({
            id: 'c1',
            title: 'Hi',
            messages: [
              {
                id: 'u1',
                conversationId: 'c1',
                role: 'user',
                content: 'Hi',
                status: 'complete',
                createdAt: '',
              },
              {
                id: 'a1',
                conversationId: 'c1',
                role: 'assistant',
                content: 'Once',
                status: 'streaming',
                createdAt: '',
              },
            ],
            live: { assistantMessageId: 'a1', seq: 4 },
          }),
        [`GET ${base}/conversations/c1/live`]: () =>
          new Response(
            streamOf(
              [
                sse('ready', {
                  conversationId: 'c1',
                  updatedAt: 't',
                  live: { assistantMessageId: 'a1', seq: 4 },
                }),
                sse('meta', { conversationId: 'c1', userMessageId: 'u1', assistantMessageId: 'a1', seq: 4 }),
                sse('delta', { text: ' upon', seq: 9 }),
                sse('done', { assistantMessageId: 'a1', finishReason: 'stop', usage, seq: 9 }),
              ],
              { endless: true },
            ).body,
          ),
      },
      { storage },
    );
    await chat.start();
    await settle(() => chat.status.value === 'ready');
    expect(chat.messages.value[1]).toMatchObject({ content: 'Once upon', status: 'complete' });
    expect(fake.calls.find((call) => call.path.includes('/live'))?.path).toBe(
      `${base}/conversations/c1/live?after=4`,
    );
    expect(fake.calls.filter((call) => call.path === `${base}/visitors`)).toHaveLength(0);
  });

  it('calls made at once share one new visitor (one token issued)', async () => {
    const storage = memoryStorage({ 'visitor-conversation:helper': 'gone' });
    const { chat, fake } = start(
      { [`GET ${base}/conversations/gone`]: () => apiError(404, 'not_found', 'Not found.') },
      { storage },
    );
    await chat.start();
    expect(fake.calls.filter((call) => call.path === `${base}/visitors`)).toHaveLength(1);
    // A remembered conversation that is gone (or another visitor's) starts afresh, without an error.
    expect(chat.conversationId.value).toBeNull();
    expect(chat.error.value).toBeNull();
    expect(storage.map.has('visitor-conversation:helper')).toBe(false);
  });

  it('replaces a token the server no longer accepts, once', async () => {
    const storage = memoryStorage({ 'visitor-token:helper': 'old' });
    let listed = 0;
    const { chat } = start(
      {
        [`GET ${base}/conversations`]: (call) => {
          listed++;
          return call.headers.authorization === 'Bearer old'
            ? apiError(401, 'visitor_token_invalid', 'Your visitor pass expired.')
            : json([{ id: 'c9', title: 'Old chat', updatedAt: '2026-12-01T00:00:00Z' }]);
        },
      },
      { storage },
    );
    await chat.start();
    expect(listed).toBe(2);
    expect(storage.map.get('visitor-token:helper')).toBe('tok-1');
    expect(chat.conversations.value.map((item) => item.id)).toEqual(['c9']);
  });

  it('puts a refused message back in the composer and shows the reason', async () => {
    const { chat } = start({
      [`POST ${base}/chat`]: () =>
        apiError(429, 'visitor_limit', 'You sent many messages. Try again in an hour.'),
    });
    await chat.start();
    await chat.send('Hello?');
    expect(chat.messages.value).toEqual([]);
    expect(chat.restoredDraft.value).toBe('Hello?');
    expect(chat.error.value?.code).toBe('visitor_limit');
  });

  it('rates an answer, and a second click on the same thumb takes it back', async () => {
    const storage = memoryStorage({ 'visitor-token:helper': 'tok-1', 'visitor-conversation:helper': 'c1' });
    const ratings: unknown[] = [];
    const { chat } = start(
      {
        [`GET ${base}/conversations/c1`]: () =>
          json({
            id: 'c1',
            title: 'Hi',
            messages: [
              {
                id: 'a1',
                conversationId: 'c1',
                role: 'assistant',
                content: 'Yes',
                status: 'complete',
                createdAt: '',
              },
            ],
          }),
        [`PUT ${base}/messages/a1/feedback`]: (call) => {
          ratings.push(call.body);
          return new Response(null, { status: 204 });
        },
      },
      { storage },
    );
    await chat.start();
    const answer = chat.messages.value[0]!;
    await chat.rate(answer, 'up');
    expect(chat.messages.value[0]?.feedback).toBe('up');
    await chat.rate(chat.messages.value[0]!, 'up');
    expect(chat.messages.value[0]?.feedback).toBeNull();
    expect(ratings).toEqual([{ rating: 'up' }, { rating: null }]);
  });
});
