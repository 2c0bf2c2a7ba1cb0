import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { FakeLlmClient } from '../helpers/fake-llm-client.js';
import { userWithChatbot } from './chat-fixtures.js';

describe('conversations API and ownership', () => {
  let t: TestApp;
  let llm: FakeLlmClient;
  let alice: { cookie: string; userId: string; chatbotId: string };
  let bob: { cookie: string; userId: string; chatbotId: string };

  beforeAll(async () => {
    llm = new FakeLlmClient();
    t = await buildTestApp({ llmClient: llm });
    alice = await userWithChatbot(t, 'alice@example.com');
    bob = await userWithChatbot(t, 'bob@example.com');
  });
  afterAll(() => t.close());

  const chatJson = (who: { cookie: string }, chatbotId: string, payload: object) =>
    t.app.inject({
      method: 'POST',
      url: `/api/chatbots/${chatbotId}/chat`,
      headers: { ...as(who.cookie), accept: 'application/json' },
      payload,
    });

  it('lists conversations newest first with cursor pagination, reads and deletes them', async () => {
    const ids: string[] = [];
    for (const message of ['first topic', 'second topic', 'third topic']) {
      const response = await chatJson(alice, alice.chatbotId, { message });
      expect(response.statusCode).toBe(200);
      ids.push(response.json().conversationId);
    }
    const page1 = await t.app.inject({
      method: 'GET',
      url: `/api/chatbots/${alice.chatbotId}/conversations?limit=2`,
      headers: as(alice.cookie),
    });
    expect(page1.statusCode).toBe(200);
    expect(page1.json().items.map((item: { title: string }) => item.title)).toEqual([
      'third topic',
      'second topic',
    ]);
    const cursor = page1.json().nextCursor as string;
    const page2 = await t.app.inject({
      method: 'GET',
      url: `/api/chatbots/${alice.chatbotId}/conversations?limit=2&cursor=${encodeURIComponent(cursor)}`,
      headers: as(alice.cookie),
    });
    expect(page2.json()).toEqual({
      items: [expect.objectContaining({ id: ids[0], title: 'first topic' })],
      nextCursor: null,
    });

    const read = await t.app.inject({
      method: 'GET',
      url: `/api/conversations/${ids[0]}`,
      headers: as(alice.cookie),
    });
    expect(read.json()).toMatchObject({
      id: ids[0],
      chatbotId: alice.chatbotId,
      messages: [
        { role: 'user', content: 'first topic', status: 'complete' },
        {
          role: 'assistant',
          content: 'Fake answer.',
          status: 'complete',
          usage: { promptTokens: 10, completionTokens: 2 },
        },
      ],
    });

    const deleted = await t.app.inject({
      method: 'DELETE',
      url: `/api/conversations/${ids[0]}`,
      headers: as(alice.cookie),
    });
    expect(deleted.statusCode).toBe(204);
    const gone = await t.app.inject({
      method: 'GET',
      url: `/api/conversations/${ids[0]}`,
      headers: as(alice.cookie),
    });
    expect(gone.statusCode).toBe(404);
  });

  it('regenerates the last answer as a stream', async () => {
    llm.queueText('Original answer').queueText('Better answer');
    const first = (await chatJson(alice, alice.chatbotId, { message: 'Explain' })).json();
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/conversations/${first.conversationId}/regenerate`,
      headers: as(alice.cookie),
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(response.body).toContain('event: meta\n');
    expect(response.body).toContain('event: done\n');
    const read = await t.app.inject({
      method: 'GET',
      url: `/api/conversations/${first.conversationId}`,
      headers: as(alice.cookie),
    });
    expect(read.json().messages.map((message: { content: string }) => message.content)).toEqual([
      'Explain',
      'Better answer',
    ]);
  });

  it('validates input before anything is stored or sent upstream', async () => {
    const before = llm.calls.length;
    for (const payload of [
      {},
      { message: '' },
      { message: 'x', role: 'system' },
      { message: 'x', model: 'gpt-4o' },
    ]) {
      const response = await chatJson(alice, alice.chatbotId, payload);
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('validation_failed');
    }
    const badCursor = await t.app.inject({
      method: 'GET',
      url: `/api/chatbots/${alice.chatbotId}/conversations?cursor=nonsense`,
      headers: as(alice.cookie),
    });
    expect(badCursor.statusCode).toBe(400);
    expect(llm.calls.length).toBe(before);
  });

  it('renames a conversation: trimmed, validated with a sentence on the title field, order kept', async () => {
    const older = (await chatJson(alice, alice.chatbotId, { message: 'rename me' })).json();
    const newer = (await chatJson(alice, alice.chatbotId, { message: 'stay on top' })).json();
    const rename = (who: { cookie?: string }, id: string, payload: unknown) =>
      t.app.inject({
        method: 'PATCH',
        url: `/api/conversations/${id}`,
        headers: who.cookie ? as(who.cookie) : {},
        payload: payload as object,
      });
    const renamed = await rename(alice, older.conversationId, { title: '  Trip to Porto  ' });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ id: older.conversationId, title: 'Trip to Porto' });
    const list = await t.app.inject({
      method: 'GET',
      url: `/api/chatbots/${alice.chatbotId}/conversations?limit=2`,
      headers: as(alice.cookie),
    });
    // Renaming is not activity: the newer conversation stays first.
    expect(list.json().items.map((item: { id: string; title: string }) => [item.id, item.title])).toEqual([
      [newer.conversationId, 'stay on top'],
      [older.conversationId, 'Trip to Porto'],
    ]);

    for (const payload of [
      { title: '   ' },
      { title: 'x'.repeat(201) },
      {},
      { title: 'ok', chatbotId: 'x' },
    ]) {
      const refused = await rename(alice, older.conversationId, payload);
      expect(refused.statusCode, JSON.stringify(payload)).toBe(400);
      expect(refused.json().error.code).toBe('validation_failed');
    }
    const blank = (await rename(alice, older.conversationId, { title: ' ' })).json();
    expect(blank.error.details).toEqual([{ field: 'title', message: 'Give the conversation a title.' }]);

    expect((await rename(bob, older.conversationId, { title: 'Mine now' })).statusCode).toBe(404);
    expect((await rename({}, older.conversationId, { title: 'Anyone' })).statusCode).toBe(401);
    const read = await t.app.inject({
      method: 'GET',
      url: `/api/conversations/${older.conversationId}`,
      headers: as(alice.cookie),
    });
    expect(read.json().title).toBe('Trip to Porto');
  });

  it('searches titles and message text, case-insensitively, owner-scoped, with a snippet', async () => {
    llm.queueText('The capital of Portugal is Lisbon, on the Tagus.');
    const geo = (await chatJson(alice, alice.chatbotId, { message: 'Capitals of Europe' })).json();
    llm.queueText('Use 100% whole wheat flour.');
    const baking = (await chatJson(alice, alice.chatbotId, { message: 'A bread recipe' })).json();
    llm.queueText('Lisbon is lovely.');
    await chatJson(bob, bob.chatbotId, { message: 'Lisbon for Bob' });
    const search = (who: { cookie: string }, chatbotId: string, q: string, extra = '') =>
      t.app.inject({
        method: 'GET',
        url: `/api/chatbots/${chatbotId}/conversations?q=${encodeURIComponent(q)}${extra}`,
        headers: as(who.cookie),
      });

    const byTitle = (await search(alice, alice.chatbotId, 'capitals OF')).json();
    expect(byTitle.items).toEqual([expect.objectContaining({ id: geo.conversationId })]);
    expect(byTitle.items[0].snippet).toBeUndefined(); // the title matched, not a message

    const byText = await search(alice, alice.chatbotId, 'TAGUS');
    expect(byText.statusCode).toBe(200);
    expect(byText.json().items).toEqual([
      expect.objectContaining({
        id: geo.conversationId,
        title: 'Capitals of Europe',
        snippet: '…capital of Portugal is Lisbon, on the Tagus.', // cut at a word
      }),
    ]);

    // % and _ are plain characters, not wildcards.
    expect((await search(alice, alice.chatbotId, '100%')).json().items).toEqual([
      expect.objectContaining({ id: baking.conversationId }),
    ]);
    expect((await search(alice, alice.chatbotId, '1_0')).json().items).toEqual([]);
    // Bob's Lisbon stays Bob's; Alice's search of Bob's chatbot is a 404.
    expect((await search(alice, alice.chatbotId, 'lisbon')).json().items).toEqual([
      expect.objectContaining({ id: geo.conversationId }),
    ]);
    expect((await search(alice, bob.chatbotId, 'lisbon')).statusCode).toBe(404);
    // A blank query is the plain list; a too long one is refused.
    expect((await search(alice, alice.chatbotId, '   ')).json().items.length).toBeGreaterThan(2);
    expect((await search(alice, alice.chatbotId, 'x'.repeat(201))).statusCode).toBe(400);
  });

  it('cuts the snippet around a match deep in a long message and pages the results', async () => {
    llm.queueText(`${'lorem ipsum '.repeat(50)}needle in the middle ${'dolor sit '.repeat(50)}`);
    const deep = (await chatJson(alice, alice.chatbotId, { message: 'long one' })).json();
    for (const word of ['needle a', 'needle b']) await chatJson(alice, alice.chatbotId, { message: word });
    const first = await t.app.inject({
      method: 'GET',
      url: `/api/chatbots/${alice.chatbotId}/conversations?q=needle&limit=2`,
      headers: as(alice.cookie),
    });
    expect(first.json().items.map((item: { title: string }) => item.title)).toEqual(['needle b', 'needle a']);
    const rest = await t.app.inject({
      method: 'GET',
      url: `/api/chatbots/${alice.chatbotId}/conversations?q=needle&limit=2&cursor=${encodeURIComponent(first.json().nextCursor)}`,
      headers: as(alice.cookie),
    });
    const [item] = rest.json().items as Array<{ id: string; snippet: string }>;
    expect(item?.id).toBe(deep.conversationId);
    expect(item?.snippet).toMatch(/^….*needle in the middle.*…$/);
    expect(item?.snippet.length).toBeLessThan(150);
    expect(rest.json().nextCursor).toBeNull();
  });

  it('reads back how long an answer took (time to first token, total)', async () => {
    const turn = (await chatJson(alice, alice.chatbotId, { message: 'timing' })).json();
    const read = await t.app.inject({
      method: 'GET',
      url: `/api/conversations/${turn.conversationId}`,
      headers: as(alice.cookie),
    });
    const answer = read.json().messages[1];
    expect(answer.ttftMs).toEqual(expect.any(Number));
    expect(answer.latencyMs).toEqual(expect.any(Number));
    expect(answer.latencyMs).toBeGreaterThanOrEqual(answer.ttftMs);
    expect(read.json().messages[0]).toMatchObject({ ttftMs: null, latencyMs: null });
  });

  it("user B can't chat with, read, regenerate, stop or delete user A's things (404, no data)", async () => {
    llm.queueText('Secret answer about the private plan');
    const turn = (await chatJson(alice, alice.chatbotId, { message: 'My private plan' })).json();
    const callsBefore = llm.calls.length;
    const attempts = [
      { method: 'POST', url: `/api/chatbots/${alice.chatbotId}/chat`, payload: { message: 'hi' } },
      {
        method: 'POST',
        url: `/api/chatbots/${bob.chatbotId}/chat`,
        payload: { message: 'hi', conversationId: turn.conversationId },
      },
      { method: 'GET', url: `/api/chatbots/${alice.chatbotId}/conversations` },
      { method: 'GET', url: `/api/conversations/${turn.conversationId}` },
      { method: 'POST', url: `/api/conversations/${turn.conversationId}/regenerate` },
      { method: 'POST', url: `/api/messages/${turn.assistantMessageId}/stop` },
      { method: 'POST', url: `/api/messages/${turn.userMessageId}/stop` },
      { method: 'DELETE', url: `/api/conversations/${turn.conversationId}` },
      { method: 'PATCH', url: `/api/conversations/${turn.conversationId}`, payload: { title: 'private' } },
      { method: 'GET', url: `/api/chatbots/${alice.chatbotId}/conversations?q=private` },
    ] as const;
    for (const attempt of attempts) {
      const response = await t.app.inject({ ...attempt, headers: as(bob.cookie) });
      expect(response.statusCode, `${attempt.method} ${attempt.url}`).toBe(404);
      expect(response.body).not.toContain('private');
      expect(response.body).not.toContain(turn.conversationId);
      const anonymous = await t.app.inject({ ...attempt });
      expect(anonymous.statusCode).toBe(401);
    }
    expect(llm.calls.length).toBe(callsBefore);
    const still = await t.app.inject({
      method: 'GET',
      url: `/api/conversations/${turn.conversationId}`,
      headers: as(alice.cookie),
    });
    expect(still.json().messages).toHaveLength(2);
    const mine = await t.app.inject({
      method: 'POST',
      url: `/api/messages/${turn.assistantMessageId}/stop`,
      headers: as(alice.cookie),
    });
    expect(mine.statusCode).toBe(202);
    expect(mine.json()).toEqual({ stopped: false });
  });
});
