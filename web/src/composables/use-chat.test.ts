import { afterEach, describe, expect, it, vi } from 'vitest';
import { effectScope } from 'vue';
import type { ChatMessage, ConversationWithMessages } from '@app/common';
import { useChat } from './use-chat';
import { apiError, createFakeFetch, json, streamOf } from '../test-support/fake-fetch';

const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
const meta = sse('meta', { conversationId: 'c1', userMessageId: 'u1', assistantMessageId: 'a1', seq: 0 });
const usage = { promptTokens: 1, completionTokens: 2 };
const done = (seq: number, id = 'a1') =>
  sse('done', { assistantMessageId: id, finishReason: 'stop', usage, seq });

/** A response body the test writes to as it goes (a server that answers over time). */
function pushStream() {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  return {
    body,
    push: (text: string) => controller.enqueue(encoder.encode(text)),
    close: () => controller.close(),
  };
}

const message = (id: string, role: ChatMessage['role'], content: string, status = 'complete') =>
  ({ id, conversationId: 'c1', role, content, status, createdAt: '' }) as ChatMessage;

function conversation(
  messages: ChatMessage[],
  live: ConversationWithMessages['live'] = null,
  updatedAt = 't1',
): ConversationWithMessages {
  return { id: 'c1', chatbotId: 'b1', title: 'Hi', createdAt: '', updatedAt, messages, live };
}

const ready = (live: unknown = null, updatedAt = 't1') =>
  sse('ready', { conversationId: 'c1', updatedAt, live });

function startChat() {
  const started: string[] = [];
  const scope = effectScope();
  const chat = scope.run(() =>
    useChat({ chatbotId: () => 'b1', onConversationStarted: (id) => started.push(id) }),
  )!;
  return { chat, scope, started };
}

const summary = (messages: ChatMessage[]) =>
  messages.map((item) => [item.id, item.role, item.content, item.status]);

describe('useChat', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('streams an answer into the message list and records the new conversation', async () => {
    const fake = createFakeFetch({
      'POST /api/chatbots/b1/chat': () =>
        new Response(
          streamOf([
            meta,
            sse('delta', { text: 'Hel', seq: 3 }),
            sse('delta', { text: 'lo', seq: 5 }),
            sse('done', {
              assistantMessageId: 'a1',
              finishReason: 'stop',
              usage,
              answeredBy: 'backup-model',
              seq: 5,
            }),
          ]).body,
        ),
      'GET /api/conversations/c1/live': () => new Response(streamOf([ready()], { endless: true }).body),
    });
    vi.stubGlobal('fetch', fake.fetch);
    const { chat, started, scope } = startChat();
    await chat.open(null);
    await chat.send('Hi');
    expect(summary(chat.messages.value)).toEqual([
      ['u1', 'user', 'Hi', 'complete'],
      ['a1', 'assistant', 'Hello', 'complete'],
    ]);
    expect(chat.messages.value[1]?.answeredBy).toBe('backup-model');
    expect(chat.conversationId.value).toBe('c1');
    expect(started).toEqual(['c1']);
    expect(chat.status.value).toBe('ready');
    // From now on the tab follows the new conversation (other tabs, a reload mid-answer).
    await vi.waitFor(() =>
      expect(fake.calls.map((call) => call.path)).toContain('/api/conversations/c1/live'),
    );
    scope.stop();
  });

  it('Stop asks the server to stop; the stream then ends the answer, the partial text kept', async () => {
    const answer = pushStream();
    const fake = createFakeFetch({
      'POST /api/chatbots/b1/chat': () => new Response(answer.body),
      'POST /api/messages/a1/stop': () => {
        // The server stops the run: every stream of it ends `aborted`.
        answer.push(sse('error', { code: 'aborted', message: 'The answer was stopped.', seq: 9 }));
        answer.close();
        return new Response(JSON.stringify({ stopped: true }), { status: 202 });
      },
      'GET /api/conversations/c1/live': () => new Response(streamOf([ready()], { endless: true }).body),
    });
    vi.stubGlobal('fetch', fake.fetch);
    const { chat, scope } = startChat();
    await chat.open(null);
    const sending = chat.send('Tell me a story');
    answer.push(meta);
    answer.push(sse('delta', { text: 'Once upon', seq: 9 }));
    await vi.waitFor(() => expect(chat.messages.value[1]?.content).toBe('Once upon'));
    expect(chat.status.value).toBe('streaming');
    chat.stop();
    await sending;
    expect(chat.messages.value[1]).toMatchObject({ status: 'stopped', content: 'Once upon' });
    expect(fake.calls.map((call) => `${call.method} ${call.path}`)).toContain('POST /api/messages/a1/stop');
    expect(chat.status.value).toBe('ready');
    expect(chat.error.value).toBeNull();
    scope.stop();
  });

  it('Stop pressed before the answer began is sent as soon as its id is known', async () => {
    const answer = pushStream();
    const fake = createFakeFetch({
      'POST /api/chatbots/b1/chat': () => new Response(answer.body),
      'POST /api/messages/a1/stop': () => {
        answer.push(sse('error', { code: 'aborted', message: 'The answer was stopped.', seq: 0 }));
        answer.close();
        return new Response(null, { status: 202 });
      },
    });
    vi.stubGlobal('fetch', fake.fetch);
    const { chat, scope } = startChat();
    await chat.open(null);
    const sending = chat.send('Hi');
    await vi.waitFor(() => expect(fake.calls).toHaveLength(1));
    chat.stop();
    answer.push(meta);
    await sending;
    expect(chat.messages.value[1]).toMatchObject({ id: 'a1', status: 'stopped' });
    scope.stop();
  });

  it('keeps the partial answer with the error when the stream fails mid-answer', async () => {
    const fake = createFakeFetch({
      'POST /api/chatbots/b1/chat': () =>
        new Response(
          streamOf([
            meta,
            sse('delta', { text: 'Part', seq: 4 }),
            sse('error', { code: 'timeout', message: 'Too slow', seq: 4 }),
          ]).body,
        ),
      'GET /api/conversations/c1/live': () => new Response(streamOf([ready()], { endless: true }).body),
    });
    vi.stubGlobal('fetch', fake.fetch);
    const { chat, scope } = startChat();
    await chat.open(null);
    await chat.send('Hi');
    expect(chat.messages.value[1]).toMatchObject({ status: 'error', errorCode: 'timeout', content: 'Part' });
    expect(chat.error.value?.code).toBe('timeout');
    scope.stop();
  });

  it('gives the text back when the server refuses before streaming', async () => {
    const fake = createFakeFetch({
      'POST /api/chatbots/b1/chat': () => apiError(429, 'rate_limited', 'Slow down'),
    });
    vi.stubGlobal('fetch', fake.fetch);
    const { chat } = startChat();
    await chat.open(null);
    await chat.send('Hi there');
    expect(chat.messages.value).toEqual([]);
    expect(chat.restoredDraft.value).toBe('Hi there');
    expect(chat.error.value).toMatchObject({ status: 429, code: 'rate_limited' });
  });

  it('opening a conversation whose answer is being written re-attaches where the read stands', async () => {
    const liveStream = pushStream();
    const fake = createFakeFetch({
      'GET /api/conversations/c1': () =>
        json(
          conversation([message('u1', 'user', 'Hi'), message('a1', 'assistant', 'Once', 'streaming')], {
            assistantMessageId: 'a1',
            seq: 4,
          }),
        ),
      'GET /api/conversations/c1/live': () => new Response(liveStream.body),
    });
    vi.stubGlobal('fetch', fake.fetch);
    const { chat, scope } = startChat();
    await chat.open('c1');
    expect(chat.status.value).toBe('streaming');
    expect(fake.calls.at(-1)?.path).toBe('/api/conversations/c1/live?after=4&assistantMessageId=a1');
    liveStream.push(ready({ assistantMessageId: 'a1', seq: 9 }));
    liveStream.push(
      sse('meta', { conversationId: 'c1', userMessageId: 'u1', assistantMessageId: 'a1', seq: 4 }),
    );
    // The buffered text first (one piece), then a live delta; a repeated piece changes nothing.
    liveStream.push(sse('delta', { text: ' upon', seq: 9 }));
    liveStream.push(sse('delta', { text: 'upon', seq: 9 }));
    liveStream.push(sse('delta', { text: ' a time', seq: 16 }));
    liveStream.push(done(16));
    await vi.waitFor(() => expect(chat.messages.value[1]?.status).toBe('complete'));
    expect(chat.messages.value[1]?.content).toBe('Once upon a time');
    expect(chat.status.value).toBe('ready');
    scope.stop();
  });

  it('a turn started in another tab appears: its question, then its answer growing', async () => {
    const liveStream = pushStream();
    const fake = createFakeFetch({
      'GET /api/conversations/c1': () =>
        json(conversation([message('u1', 'user', 'Hi'), message('a1', 'assistant', 'Hello')])),
      'GET /api/conversations/c1/live': () => new Response(liveStream.body),
    });
    vi.stubGlobal('fetch', fake.fetch);
    const { chat, scope } = startChat();
    await chat.open('c1');
    liveStream.push(ready());
    liveStream.push(
      sse('turn', {
        conversationId: 'c1',
        userMessage: message('u2', 'user', 'And then?'),
        assistantMessage: message('a2', 'assistant', '', 'streaming'),
        removedMessageIds: [],
      }),
    );
    liveStream.push(
      sse('meta', { conversationId: 'c1', userMessageId: 'u2', assistantMessageId: 'a2', seq: 0 }),
    );
    liveStream.push(sse('delta', { text: 'Then', seq: 4 }));
    await vi.waitFor(() => expect(chat.messages.value[3]?.content).toBe('Then'));
    expect(chat.status.value).toBe('streaming');
    liveStream.push(sse('delta', { text: ' more', seq: 9 }));
    liveStream.push(done(9, 'a2'));
    await vi.waitFor(() => expect(chat.status.value).toBe('ready'));
    expect(summary(chat.messages.value)).toEqual([
      ['u1', 'user', 'Hi', 'complete'],
      ['a1', 'assistant', 'Hello', 'complete'],
      ['u2', 'user', 'And then?', 'complete'],
      ['a2', 'assistant', 'Then more', 'complete'],
    ]);
    scope.stop();
  });

  it('its own answer, also told by the live stream, is written once', async () => {
    const answer = pushStream();
    const liveStream = pushStream();
    const fake = createFakeFetch({
      'GET /api/conversations/c1': () =>
        json(conversation([message('u1', 'user', 'Hi'), message('a1', 'assistant', 'Hello')])),
      'GET /api/conversations/c1/live': () => new Response(liveStream.body),
      'POST /api/chatbots/b1/chat': () => new Response(answer.body),
    });
    vi.stubGlobal('fetch', fake.fetch);
    const { chat, scope } = startChat();
    await chat.open('c1');
    liveStream.push(ready());
    const sending = chat.send('More');
    // The live stream announces the turn before the POST says it is this tab's.
    liveStream.push(
      sse('turn', {
        conversationId: 'c1',
        userMessage: message('u2', 'user', 'More'),
        assistantMessage: message('a2', 'assistant', '', 'streaming'),
        removedMessageIds: [],
      }),
    );
    liveStream.push(
      sse('meta', { conversationId: 'c1', userMessageId: 'u2', assistantMessageId: 'a2', seq: 0 }),
    );
    liveStream.push(sse('delta', { text: 'Sure', seq: 4 }));
    await new Promise((resolve) => setTimeout(resolve, 10));
    answer.push(sse('meta', { conversationId: 'c1', userMessageId: 'u2', assistantMessageId: 'a2', seq: 0 }));
    answer.push(sse('delta', { text: 'Sure', seq: 4 }));
    answer.push(sse('delta', { text: ', here', seq: 10 }));
    liveStream.push(sse('delta', { text: ', here', seq: 10 }));
    answer.push(done(10, 'a2'));
    answer.close();
    await sending;
    liveStream.push(done(10, 'a2'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(summary(chat.messages.value)).toEqual([
      ['u1', 'user', 'Hi', 'complete'],
      ['a1', 'assistant', 'Hello', 'complete'],
      ['u2', 'user', 'More', 'complete'],
      ['a2', 'assistant', 'Sure, here', 'complete'],
    ]);
    scope.stop();
  });

  it('its own answer told again after it ended changes nothing (no flicker back to streaming)', async () => {
    const liveStream = pushStream();
    const fake = createFakeFetch({
      'GET /api/conversations/c1': () => json(conversation([message('u1', 'user', 'Hi')])),
      'GET /api/conversations/c1/live': () => new Response(liveStream.body),
      'POST /api/chatbots/b1/chat': () =>
        new Response(
          streamOf([
            sse('meta', { conversationId: 'c1', userMessageId: 'u2', assistantMessageId: 'a2', seq: 0 }),
            sse('delta', { text: 'Done.', seq: 5 }),
            done(5, 'a2'),
          ]).body,
        ),
    });
    vi.stubGlobal('fetch', fake.fetch);
    const { chat, scope } = startChat();
    await chat.open('c1');
    liveStream.push(ready());
    await chat.send('Quick');
    expect(chat.status.value).toBe('ready');
    const statuses: string[] = [];
    liveStream.push(
      sse('meta', { conversationId: 'c1', userMessageId: 'u2', assistantMessageId: 'a2', seq: 0 }),
    );
    liveStream.push(sse('delta', { text: 'Done.', seq: 5 }));
    liveStream.push(done(5, 'a2'));
    for (let tick = 0; tick < 5; tick++) {
      await new Promise((resolve) => setTimeout(resolve, 2));
      statuses.push(chat.status.value, chat.messages.value[2]!.status);
    }
    expect(new Set(statuses)).toEqual(new Set(['ready', 'complete']));
    expect(chat.messages.value[2]?.content).toBe('Done.');
    expect(fake.calls.filter((call) => call.path === '/api/conversations/c1')).toHaveLength(1);
    scope.stop();
  });

  it('a gap (text it never got) re-reads the conversation and re-attaches from there', async () => {
    const streams = [pushStream(), pushStream()];
    let reads = 0;
    const fake = createFakeFetch({
      'GET /api/conversations/c1': () =>
        json(
          reads++ === 0
            ? conversation([message('a1', 'assistant', 'One', 'streaming')], {
                assistantMessageId: 'a1',
                seq: 3,
              })
            : conversation([message('a1', 'assistant', 'One two three', 'streaming')], {
                assistantMessageId: 'a1',
                seq: 13,
              }),
        ),
      'GET /api/conversations/c1/live': () => new Response(streams.shift()!.body),
    });
    vi.stubGlobal('fetch', fake.fetch);
    const [first, second] = streams as [ReturnType<typeof pushStream>, ReturnType<typeof pushStream>];
    const { chat, scope } = startChat();
    await chat.open('c1');
    first.push(ready({ assistantMessageId: 'a1', seq: 13 }));
    first.push(sse('meta', { conversationId: 'c1', userMessageId: 'u1', assistantMessageId: 'a1', seq: 3 }));
    first.push(sse('delta', { text: ' three', seq: 13 })); // " two" never came
    await vi.waitFor(() => expect(reads).toBe(2));
    await vi.waitFor(() => expect(fake.calls.at(-1)?.path).toContain('after=13'));
    second.push(ready({ assistantMessageId: 'a1', seq: 13 }));
    second.push(
      sse('meta', { conversationId: 'c1', userMessageId: 'u1', assistantMessageId: 'a1', seq: 13 }),
    );
    second.push(sse('delta', { text: ' four', seq: 18 }));
    second.push(done(18));
    await vi.waitFor(() => expect(chat.messages.value[0]?.status).toBe('complete'));
    expect(chat.messages.value[0]?.content).toBe('One two three four');
    scope.stop();
  });

  it('leaving (dispose) only detaches: the streams close and no Stop is sent', async () => {
    const fake = createFakeFetch({
      'GET /api/conversations/c1': () =>
        json(conversation([message('u1', 'user', 'Hi'), message('a1', 'assistant', 'Par', 'stopped')])),
      'GET /api/conversations/c1/live': () => new Response(streamOf([ready()], { endless: true }).body),
      'POST /api/chatbots/b1/chat': () =>
        new Response(
          streamOf(
            [sse('meta', { conversationId: 'c1', userMessageId: 'u2', assistantMessageId: 'a2', seq: 0 })],
            {
              endless: true,
            },
          ).body,
        ),
      'POST /api/messages/a2/stop': () => new Response(null, { status: 202 }),
    });
    vi.stubGlobal('fetch', fake.fetch);
    const { chat, scope } = startChat();
    await chat.open('c1');
    expect(chat.messages.value.map((item) => item.status)).toEqual(['complete', 'stopped']);
    const sending = chat.send('More');
    await vi.waitFor(() => expect(chat.messages.value[3]?.id).toBe('a2'));
    expect(fake.calls.find((call) => call.method === 'POST')?.body).toEqual({
      message: 'More',
      conversationId: 'c1',
    });
    scope.stop();
    await sending;
    expect(fake.calls.map((call) => call.path)).not.toContain('/api/messages/a2/stop');
  });
});
