import { afterEach, describe, expect, it, vi } from 'vitest';
import { effectScope } from 'vue';
import type { ChatMessage, ConversationWithMessages } from '@app/common';
import { useChat } from './use-chat';
import { neighbourVersion } from './chat-versions';
import { apiError, createFakeFetch, json, streamOf } from '../test-support/fake-fetch';

const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
const usage = { promptTokens: 1, completionTokens: 2 };
const ready = (updatedAt = 't1') => sse('ready', { conversationId: 'c1', updatedAt, live: null });
const answer = (userMessageId: string, assistantMessageId: string, text: string) =>
  streamOf([
    sse('meta', { conversationId: 'c1', userMessageId, assistantMessageId, seq: 0 }),
    sse('delta', { text, seq: text.length }),
    sse('done', { assistantMessageId, finishReason: 'stop', usage, seq: text.length }),
  ]).body;

const message = (
  id: string,
  role: ChatMessage['role'],
  content: string,
  parentId: string | null,
  siblingIds = [id],
): ChatMessage => ({
  id,
  conversationId: 'c1',
  role,
  content,
  status: 'complete',
  createdAt: '',
  parentId,
  siblingIds,
  siblingIndex: siblingIds.indexOf(id),
  siblingCount: siblingIds.length,
});

const read = (messages: ChatMessage[], updatedAt = 't1'): ConversationWithMessages => ({
  id: 'c1',
  chatbotId: 'b1',
  title: 'Hi',
  createdAt: '',
  updatedAt,
  messages,
  live: null,
});

/** Q1 A1 Q2 A2, one version each. */
const q1 = message('q1', 'user', 'Q1', null);
const a1 = message('a1', 'assistant', 'A1', 'q1');
const q2 = message('q2', 'user', 'Q2', 'a1');
const a2 = message('a2', 'assistant', 'A2', 'q2');

function startChat() {
  const scope = effectScope();
  const chat = scope.run(() => useChat({ chatbotId: () => 'b1' }))!;
  return { chat, scope };
}

const shown = (messages: ChatMessage[]) =>
  messages.map((item) => `${item.content} ${item.siblingIndex! + 1}/${item.siblingCount}`);

describe('useChat: versions (edit, regenerate any answer, switch)', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('edit: the new version replaces the message and what followed, streams, then the tree is re-read', async () => {
    const q2b = message('q2b', 'user', 'Q2 edited', 'a1', ['q2', 'q2b']);
    const a2b = message('a2b', 'assistant', 'New', 'q2b');
    let reads = 0;
    const fake = createFakeFetch({
      'GET /api/conversations/c1': () => json(read(reads++ === 0 ? [q1, a1, q2, a2] : [q1, a1, q2b, a2b])),
      'GET /api/conversations/c1/live': () => new Response(streamOf([ready()], { endless: true }).body),
      'POST /api/messages/q2/edit': () => new Response(answer('q2b', 'a2b', 'New')),
    });
    vi.stubGlobal('fetch', fake.fetch);
    const { chat, scope } = startChat();
    await chat.open('c1');
    expect(await chat.edit(chat.messages.value[2]!, '  Q2 edited ')).toBe(true);
    expect(fake.calls.find((call) => call.path === '/api/messages/q2/edit')?.body).toEqual({
      content: 'Q2 edited',
    });
    // At once: the placeholder is version 2/2 with the server's ids; then the re-read confirms it.
    expect(chat.messages.value.map((item) => item.id)).toEqual(['q1', 'a1', 'q2b', 'a2b']);
    expect(chat.messages.value[2]).toMatchObject({ siblingIds: ['q2', 'q2b'], siblingIndex: 1 });
    await vi.waitFor(() => expect(reads).toBe(2));
    await vi.waitFor(() =>
      expect(shown(chat.messages.value)).toEqual(['Q1 1/1', 'A1 1/1', 'Q2 edited 2/2', 'New 1/1']),
    );
    expect(chat.status.value).toBe('ready');
    scope.stop();
  });

  it('a refused edit puts the branch back (nothing was stored)', async () => {
    const fake = createFakeFetch({
      'GET /api/conversations/c1': () => json(read([q1, a1, q2, a2])),
      'GET /api/conversations/c1/live': () => new Response(streamOf([ready()], { endless: true }).body),
      'POST /api/messages/q2/edit': () => apiError(409, 'conflict', 'This conversation is still answering'),
    });
    vi.stubGlobal('fetch', fake.fetch);
    const { chat, scope } = startChat();
    await chat.open('c1');
    expect(await chat.edit(chat.messages.value[2]!, 'Other')).toBe(false);
    expect(chat.messages.value.map((item) => item.id)).toEqual(['q1', 'a1', 'q2', 'a2']);
    expect(chat.error.value?.message).toMatch(/still answering/);
    scope.stop();
  });

  it('regenerates an answer that is not the last: the later turns leave the view, the new version streams', async () => {
    const a1b = message('a1b', 'assistant', 'Again', 'q1', ['a1', 'a1b']);
    let reads = 0;
    const fake = createFakeFetch({
      'GET /api/conversations/c1': () => json(read(reads++ === 0 ? [q1, a1, q2, a2] : [q1, a1b])),
      'GET /api/conversations/c1/live': () => new Response(streamOf([ready()], { endless: true }).body),
      'POST /api/messages/a1/regenerate': () => new Response(answer('q1', 'a1b', 'Again')),
    });
    vi.stubGlobal('fetch', fake.fetch);
    const { chat, scope } = startChat();
    await chat.open('c1');
    await chat.regenerate(chat.messages.value[1]!);
    expect(chat.messages.value.map((item) => item.id)).toEqual(['q1', 'a1b']);
    expect(chat.messages.value[1]).toMatchObject({ content: 'Again', status: 'complete', parentId: 'q1' });
    await vi.waitFor(() => expect(shown(chat.messages.value)).toEqual(['Q1 1/1', 'Again 2/2']));
    scope.stop();
  });

  it('switches to the previous version through the server and shows the branch it answers', async () => {
    const q2b = message('q2b', 'user', 'Q2 edited', 'a1', ['q2', 'q2b']);
    const a2b = message('a2b', 'assistant', 'New', 'q2b');
    const q2v1 = { ...q2, siblingIds: ['q2', 'q2b'], siblingCount: 2 };
    const fake = createFakeFetch({
      'GET /api/conversations/c1': () => json(read([q1, a1, q2b, a2b])),
      'GET /api/conversations/c1/live': () => new Response(streamOf([ready()], { endless: true }).body),
      'PUT /api/conversations/c1/active': () => json(read([q1, a1, q2v1, a2])),
    });
    vi.stubGlobal('fetch', fake.fetch);
    const { chat, scope } = startChat();
    await chat.open('c1');
    expect(neighbourVersion(chat.messages.value[2]!, 1)).toBeNull();
    await chat.switchVersion(chat.messages.value[2]!, -1);
    expect(fake.calls.find((call) => call.method === 'PUT')?.body).toEqual({ messageId: 'q2' });
    expect(shown(chat.messages.value)).toEqual(['Q1 1/1', 'A1 1/1', 'Q2 1/2', 'A2 1/1']);
    expect(chat.switching.value).toBe(false);
    scope.stop();
  });

  it('a turn another tab started on another branch makes this view re-read the tree', async () => {
    const a2b = message('a2b', 'assistant', '', 'q2', ['a2', 'a2b']);
    let reads = 0;
    const fake = createFakeFetch({
      'GET /api/conversations/c1': () =>
        json(read(reads++ === 0 ? [q1, a1, q2, a2] : [q1, a1, q2, { ...a2b, content: 'B' }], 't2')),
      // The first stream tells the turn; after it, the conversation's activity is t2.
      'GET /api/conversations/c1/live': () =>
        new Response(
          streamOf(
            [
              ready(reads > 1 ? 't2' : 't1'),
              sse('turn', {
                conversationId: 'c1',
                userMessage: null,
                assistantMessage: { ...a2b, status: 'streaming' },
                removedMessageIds: [],
              }),
            ],
            { endless: true },
          ).body,
        ),
    });
    vi.stubGlobal('fetch', fake.fetch);
    const { chat, scope } = startChat();
    await chat.open('c1');
    await vi.waitFor(() => expect(reads).toBe(2));
    await vi.waitFor(() =>
      expect(chat.messages.value.map((item) => item.id)).toEqual(['q1', 'a1', 'q2', 'a2b']),
    );
    scope.stop();
  });

  it('ignores edits and regenerations while an answer is being written', async () => {
    const writing = { ...a2, status: 'streaming' as const };
    const fake = createFakeFetch({
      'GET /api/conversations/c1': () =>
        json({ ...read([q1, a1, q2, writing]), live: { assistantMessageId: 'a2', seq: 2 } }),
      'GET /api/conversations/c1/live': () => new Response(streamOf([ready()], { endless: true }).body),
    });
    vi.stubGlobal('fetch', fake.fetch);
    const { chat, scope } = startChat();
    await chat.open('c1');
    expect(chat.status.value).toBe('streaming');
    expect(await chat.edit(chat.messages.value[0]!, 'x')).toBe(false);
    await chat.regenerate(chat.messages.value[1]!);
    expect(fake.calls.filter((call) => call.method === 'POST')).toHaveLength(0);
    scope.stop();
  });
});
