import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm } from '@app/mock-llm';
import type { ChatMessage, ConversationWithMessages } from '@app/common';
import { conversations, messages, usageRecords } from '../../src/db/schema.js';
import { migrationsFolder } from '../../src/db/migrations-folder.js';
import { ConversationRepository } from '../../src/db/repositories/conversation-repository.js';
import { OpenAICompatibleClient } from '../../src/llm/openai-compatible-client.js';
import { as, buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { userWithChatbot } from './chat-fixtures.js';
import { SseReader } from './sse-client.js';

type Who = { cookie: string; userId: string; chatbotId: string };

/**
 * Decision 0009: messages form a tree. Editing a sent message and regenerating any answer add
 * versions (siblings), the conversation's active leaf picks the branch that is shown, continued and
 * sent to the model, and all of it survives a reload (it is read back from the database). The model
 * is a real HTTP upstream (the mock LLM); what it received is asserted request by request.
 */
describe('message branching: edit, regenerate any answer, switch versions', () => {
  let mock: MockLlm;
  let t: TestApp;
  let base: string;
  let alice: Who;
  let bob: Who;

  beforeAll(async () => {
    mock = await startMockLlm({ interTokenMs: 0 });
    const llmClient = new OpenAICompatibleClient({
      baseURL: mock.url,
      apiKey: 'sk-test',
      defaultModel: 'chat-default',
      timeoutMs: 5_000,
      maxRetries: 0,
    });
    t = await buildTestApp({ llmClient, env: { RATE_LIMIT_DEFAULT_PER_MINUTE: '1000000' } });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    alice = await userWithChatbot(t, `alice-${crypto.randomUUID()}@example.com`, {
      systemPrompt: 'Be brief.',
    });
    bob = await userWithChatbot(t, `bob-${crypto.randomUUID()}@example.com`);
  });
  afterAll(async () => {
    await t.close();
    await mock.close();
  });

  const json = (who: Who, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    t.app.inject({
      method,
      url,
      headers: { ...as(who.cookie), accept: 'application/json' },
      ...(payload ? { payload } : {}),
    });
  /** The messages (role, content) the upstream received in its latest chat request. */
  const lastSent = () => {
    const chats = mock.requests.filter((request) => request.path.endsWith('/chat/completions'));
    const body = chats.at(-1)!.body as { messages: Array<{ role: string; content: string }> };
    return body.messages.map((message) => `${message.role}: ${message.content}`);
  };
  const read = async (who: Who, id: string) => {
    const response = await json(who, 'GET', `/api/conversations/${id}`);
    expect(response.statusCode).toBe(200);
    return response.json<ConversationWithMessages>();
  };
  const contents = (conversation: ConversationWithMessages) =>
    conversation.messages.map((message) => message.content.split('\n')[0] ?? '');
  const versions = (message: ChatMessage) => `${message.siblingIndex! + 1}/${message.siblingCount}`;

  /** A conversation of alice's with two finished turns: Q1 A1 Q2 A2. */
  async function twoTurns() {
    const first = await json(alice, 'POST', `/api/chatbots/${alice.chatbotId}/chat`, { message: 'Q1' });
    expect(first.statusCode).toBe(200);
    const conversationId = first.json().conversationId as string;
    const second = await json(alice, 'POST', `/api/chatbots/${alice.chatbotId}/chat`, {
      message: 'Q2',
      conversationId,
    });
    expect(second.statusCode).toBe(200);
    const [q1, a1, q2, a2] = (await read(alice, conversationId)).messages as [
      ChatMessage,
      ChatMessage,
      ChatMessage,
      ChatMessage,
    ];
    return { conversationId, q1, a1, q2, a2 };
  }

  it('chains a conversation: each message follows the previous one, one version each', async () => {
    const { conversationId, q1, a1, q2, a2 } = await twoTurns();
    expect([q1.parentId, a1.parentId, q2.parentId, a2.parentId]).toEqual([null, q1.id, a1.id, q2.id]);
    const conversation = await read(alice, conversationId);
    expect(conversation.messages.map(versions)).toEqual(['1/1', '1/1', '1/1', '1/1']);
    expect(conversation.messages[2]!.siblingIds).toEqual([q2.id]);
  });

  it('an edit is a new version of the message; the model gets the branch before it; switching shows the old one', async () => {
    const { conversationId, q1, a1, q2, a2 } = await twoTurns();
    const edited = await json(alice, 'POST', `/api/messages/${q2.id}/edit`, { content: 'Q2 edited' });
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toMatchObject({ conversationId, status: 'complete' });
    // History = the active path up to the edited message's parent, then the new text.
    expect(lastSent()).toEqual([
      'system: Be brief.',
      'user: Q1',
      `assistant: ${a1.content}`,
      'user: Q2 edited',
    ]);

    const afterEdit = await read(alice, conversationId);
    expect(afterEdit.messages.map((message) => message.id).slice(0, 2)).toEqual([q1.id, a1.id]);
    expect(afterEdit.messages[2]).toMatchObject({
      content: 'Q2 edited',
      parentId: a1.id,
      siblingIds: [q2.id, edited.json().userMessageId],
      siblingIndex: 1,
      siblingCount: 2,
    });
    expect(afterEdit.messages[3]!.id).toBe(edited.json().assistantMessageId);
    expect(afterEdit.messages).toHaveLength(4);

    // Back to version 1: the old question with its old answer.
    const switched = await json(alice, 'PUT', `/api/conversations/${conversationId}/active`, {
      messageId: q2.id,
    });
    expect(switched.statusCode).toBe(200);
    expect(switched.json<ConversationWithMessages>().messages.map((message) => message.id)).toEqual([
      q1.id,
      a1.id,
      q2.id,
      a2.id,
    ]);
    // It is stored: a reload shows the same branch, and the next message continues it.
    const reloaded = await read(alice, conversationId);
    expect(reloaded.messages.map(versions)).toEqual(['1/1', '1/1', '1/2', '1/1']);
    const next = await json(alice, 'POST', `/api/chatbots/${alice.chatbotId}/chat`, {
      message: 'Q3',
      conversationId,
    });
    expect(next.statusCode).toBe(200);
    expect(lastSent()).toEqual([
      'system: Be brief.',
      'user: Q1',
      `assistant: ${a1.content}`,
      'user: Q2',
      `assistant: ${a2.content}`,
      'user: Q3',
    ]);
    const continued = await read(alice, conversationId);
    expect(continued.messages.at(-2)).toMatchObject({ content: 'Q3', parentId: a2.id });
  });

  it('switching to a message shows the newest branch under it', async () => {
    const { conversationId, q1, q2 } = await twoTurns();
    const edited = (await json(alice, 'POST', `/api/messages/${q2.id}/edit`, { content: 'Other' })).json();
    await json(alice, 'PUT', `/api/conversations/${conversationId}/active`, { messageId: q2.id });
    // The first message has one version; switching "to it" goes down the newest children: the edit.
    const switched = await json(alice, 'PUT', `/api/conversations/${conversationId}/active`, {
      messageId: q1.id,
    });
    expect(switched.json<ConversationWithMessages>().messages.at(-1)!.id).toBe(edited.assistantMessageId);
  });

  it('regenerates any answer (not only the last): a new version with the branch before it, the old kept', async () => {
    const { conversationId, q1, a1 } = await twoTurns();
    const again = await json(alice, 'POST', `/api/messages/${a1.id}/regenerate`);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ conversationId, userMessageId: q1.id, status: 'complete' });
    expect(lastSent()).toEqual(['system: Be brief.', 'user: Q1']);

    const afterRegenerate = await read(alice, conversationId);
    expect(afterRegenerate.messages.map((message) => message.id)).toEqual([
      q1.id,
      again.json().assistantMessageId,
    ]);
    expect(afterRegenerate.messages.map(versions)).toEqual(['1/1', '2/2']);
    expect(afterRegenerate.messages[1]!.siblingIds).toEqual([a1.id, again.json().assistantMessageId]);

    // Version 1 brings back the later turns that followed it.
    const back = await json(alice, 'PUT', `/api/conversations/${conversationId}/active`, {
      messageId: a1.id,
    });
    expect(contents(back.json())).toEqual(['Q1', expect.any(String), 'Q2', expect.any(String)]);
    // Every call is billed, versions included.
    const ledger = await t.database.db
      .select()
      .from(usageRecords)
      .where(eq(usageRecords.userId, alice.userId));
    const answers = await t.database.db
      .select()
      .from(messages)
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      .where(eq(conversations.userId, alice.userId));
    expect(ledger.length).toBe(answers.filter((row) => row.messages.role === 'assistant').length);
  });

  it('the conversation regenerate keeps versions too', async () => {
    const { conversationId, a2 } = await twoTurns();
    const again = await json(alice, 'POST', `/api/conversations/${conversationId}/regenerate`);
    expect(again.statusCode).toBe(200);
    const conversation = await read(alice, conversationId);
    expect(conversation.messages.at(-1)).toMatchObject({
      id: again.json().assistantMessageId,
      siblingIds: [a2.id, again.json().assistantMessageId],
    });
    expect(lastSent().at(-1)).toBe('user: Q2');
  });

  it('edits the first message: a second root, answered with no history', async () => {
    const { conversationId, q1 } = await twoTurns();
    const edited = await json(alice, 'POST', `/api/messages/${q1.id}/edit`, { content: 'Start over' });
    expect(edited.statusCode).toBe(200);
    expect(lastSent()).toEqual(['system: Be brief.', 'user: Start over']);
    const conversation = await read(alice, conversationId);
    expect(conversation.messages).toHaveLength(2);
    expect(conversation.messages[0]).toMatchObject({ parentId: null, siblingIndex: 1, siblingCount: 2 });
  });

  it('streams an edit like chat (meta, deltas, done) and announces it on the live stream with its parent', async () => {
    const { conversationId, a1, q2 } = await twoTurns();
    const live = await fetch(`${base}/api/conversations/${conversationId}/live`, {
      headers: { ...as(alice.cookie), accept: 'text/event-stream' },
    });
    const viewer = new SseReader(live);
    await viewer.until('ready');
    const response = await fetch(`${base}/api/messages/${q2.id}/edit`, {
      method: 'POST',
      headers: { ...as(alice.cookie), 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ content: 'Streamed edit' }),
    });
    expect(response.status).toBe(200);
    const events = await new SseReader(response).readAll();
    expect(events[0]!.event).toBe('meta');
    expect(events.at(-1)!.event).toBe('done');
    expect(events.filter((event) => event.event === 'delta').length).toBeGreaterThan(0);
    const turn = (await viewer.until('turn'))!.data as {
      userMessage: ChatMessage;
      assistantMessage: ChatMessage;
    };
    expect(turn.userMessage).toMatchObject({ content: 'Streamed edit', parentId: a1.id });
    expect(turn.assistantMessage.parentId).toBe(turn.userMessage.id);
    await viewer.cancel();
  });

  it('refuses an edit, a regenerate and a switch while an answer streams (one per conversation)', async () => {
    const { conversationId, q2, a1 } = await twoTurns();
    const response = await fetch(`${base}/api/chatbots/${alice.chatbotId}/chat`, {
      method: 'POST',
      headers: { ...as(alice.cookie), 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ message: 'Go on [[mock:endless]]', conversationId }),
    });
    const stream = new SseReader(response);
    await stream.until('delta');
    const meta = stream.events[0]!.data as { assistantMessageId: string };
    const edit = await json(alice, 'POST', `/api/messages/${q2.id}/edit`, { content: 'Meanwhile' });
    expect(edit.statusCode).toBe(409);
    expect(edit.json().error.message).toMatch(/still answering/);
    expect((await json(alice, 'POST', `/api/messages/${a1.id}/regenerate`)).statusCode).toBe(409);
    const switched = await json(alice, 'PUT', `/api/conversations/${conversationId}/active`, {
      messageId: q2.id,
    });
    expect(switched.statusCode).toBe(409);
    // A reload mid-answer shows the branch being written, with the live answer to re-attach to.
    const midAnswer = await read(alice, conversationId);
    expect(midAnswer.live?.assistantMessageId).toBe(meta.assistantMessageId);
    expect(midAnswer.messages.at(-1)!.id).toBe(meta.assistantMessageId);
    const stop = await json(alice, 'POST', `/api/messages/${meta.assistantMessageId}/stop`);
    expect(stop.json()).toEqual({ stopped: true });
    await stream.readAll();
  });

  it("another user's messages and conversations answer 404, and nothing reaches the model", async () => {
    const { conversationId, q2, a2 } = await twoTurns();
    const before = mock.requests.length;
    expect((await json(bob, 'POST', `/api/messages/${q2.id}/edit`, { content: 'Mine now' })).statusCode).toBe(
      404,
    );
    expect((await json(bob, 'POST', `/api/messages/${a2.id}/regenerate`)).statusCode).toBe(404);
    expect(
      (await json(bob, 'PUT', `/api/conversations/${conversationId}/active`, { messageId: q2.id }))
        .statusCode,
    ).toBe(404);
    // A message of another conversation (even one's own) is not a version of this one.
    const other = await twoTurns();
    expect(
      (await json(alice, 'PUT', `/api/conversations/${conversationId}/active`, { messageId: other.q1.id }))
        .statusCode,
    ).toBe(404);
    expect(mock.requests.length).toBe(before + 2); // only the two turns of `other`
  });

  it('an answer is regenerated, a sent message edited: not the other way round', async () => {
    const { q2, a2 } = await twoTurns();
    const editAnswer = await json(alice, 'POST', `/api/messages/${a2.id}/edit`, { content: 'x' });
    expect(editAnswer.statusCode).toBe(409);
    expect(editAnswer.json().error.message).toBe('Only a message you sent can be edited');
    expect((await json(alice, 'POST', `/api/messages/${q2.id}/regenerate`)).statusCode).toBe(409);
    const empty = await json(alice, 'POST', `/api/messages/${q2.id}/edit`, { content: '' });
    expect(empty.statusCode).toBe(400);
    expect(JSON.stringify(empty.json())).toContain('Write the new message.');
  });

  it('a switch read before a turn began loses to it (compare and set on the active leaf)', async () => {
    const { conversationId, q2, a2 } = await twoTurns();
    const repository = new ConversationRepository(t.database.db);
    // The switch had read `a1` as active; a turn moved it to `a2` since: nothing changes.
    expect(await repository.setActive(conversationId, q2.parentId!, q2.id)).toBe(false);
    expect((await read(alice, conversationId)).messages.at(-1)!.id).toBe(a2.id);
    expect(await repository.setActive(conversationId, a2.id, a2.id)).toBe(true);
  });

  it('lists the new routes in OpenAPI', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/api/messages/{id}/edit',
        '/api/messages/{id}/regenerate',
        '/api/conversations/{id}/active',
      ]),
    );
  });

  it('the migration backfill chains old conversations by time and makes the newest message active', async () => {
    const migration = readFileSync(`${migrationsFolder()}/0004_message_tree.sql`, 'utf8');
    const backfill = migration.split('--> statement-breakpoint').slice(-2);
    const { conversationId, q1, a1, q2, a2 } = await twoTurns();
    // As before the migration: no parents, no active leaf.
    await t.database.db
      .update(messages)
      .set({ parentId: null })
      .where(eq(messages.conversationId, conversationId));
    await t.database.db
      .update(conversations)
      .set({ activeMessageId: null })
      .where(eq(conversations.id, conversationId));
    for (const statement of backfill) await t.database.db.execute(sql.raw(statement));
    const conversation = await read(alice, conversationId);
    expect(conversation.messages.map((message) => [message.id, message.parentId])).toEqual([
      [q1.id, null],
      [a1.id, q1.id],
      [q2.id, a1.id],
      [a2.id, q2.id],
    ]);
    const [row] = await t.database.db
      .select()
      .from(conversations)
      .where(eq(conversations.id, conversationId));
    expect(row!.activeMessageId).toBe(a2.id);
  });
});
