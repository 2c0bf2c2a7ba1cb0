import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../../src/db/database.js';
import { chatbots, conversations, messages, usageRecords, user } from '../../src/db/schema.js';
import { sqlStateIn } from '../../src/db/sql-state.js';
import { ConversationRepository, type TurnRows } from '../../src/db/repositories/conversation-repository.js';
import { MessageRepository, type FinishedTurn } from '../../src/db/repositories/message-repository.js';
import { createTestDatabase } from '../helpers/test-database.js';

/**
 * The chat path's four hot statements (turn start, turn ends, partial flushes, touches) run with a
 * fixed text on either driver: PGlite by default, PostgreSQL with TEST_DATABASE_URL.
 */
describe('hot-path statements', () => {
  let database: Database;
  let turns: ConversationRepository;
  let answers: MessageRepository;
  const userId = 'user-hot';
  const chatbotId = 'bot-hot';
  let sequence = 0;
  const id = (prefix: string) => `${prefix}-${++sequence}`;

  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.insert(user).values({ id: userId, name: 'Hot', email: 'hot@example.com' });
    await database.db
      .insert(chatbots)
      .values({ id: chatbotId, userId, name: 'Bot', model: 'chat-default', temperature: 0.3, maxTokens: 99 });
    turns = new ConversationRepository(database.db);
    answers = new MessageRepository(database.db);
  });
  afterAll(() => database.close());

  const messageRow = async (messageId: string) =>
    (await database.db.select().from(messages).where(eq(messages.id, messageId)))[0];
  const conversationRow = async (conversationId: string) =>
    (await database.db.select().from(conversations).where(eq(conversations.id, conversationId)))[0];

  /** The rows of a turn in a new conversation (its first question and a streaming answer). */
  const turnRows = (overrides: Partial<TurnRows> = {}): TurnRows => ({
    userId,
    chatbotId,
    conversationId: id('conv'),
    newConversationTitle: 'A title',
    userMessage: { id: id('question'), content: 'Hi' },
    deleteMessageIds: [],
    assistant: { id: id('answer'), model: 'chat-default' },
    now: new Date(),
    ...overrides,
  });

  /** Starts one turn alone. */
  async function startTurn(overrides: Partial<TurnRows> = {}) {
    const rows = turnRows(overrides);
    await turns.insertTurns([rows]);
    return rows;
  }

  const finished = (
    turn: { assistant: { id: string }; conversationId: string },
    fields: Partial<FinishedTurn> = {},
  ): FinishedTurn => ({
    messageId: turn.assistant.id,
    conversationId: turn.conversationId,
    content: 'done',
    status: 'complete',
    errorCode: null,
    finishReason: null,
    answeredBy: null,
    modelGroup: null,
    attemptedFallbacks: null,
    upstreamRequestId: null,
    promptTokens: null,
    completionTokens: null,
    costUsd: null,
    latencyMs: 0,
    ttftMs: null,
    usage: null,
    ...fields,
  });

  it('starts a turn in a new conversation: the rows, with the caller’s clock to the millisecond', async () => {
    const now = new Date('2026-03-04T05:06:07.891Z');
    const turn = await startTurn({ now, newConversationTitle: 'Greeting' });
    expect(await conversationRow(turn.conversationId)).toEqual({
      id: turn.conversationId,
      chatbotId,
      userId,
      title: 'Greeting',
      activeMessageId: turn.assistant.id,
      source: 'app',
      visitorId: null,
      createdAt: now,
      updatedAt: now,
    });
    const rows = await database.db
      .select()
      .from(messages)
      .where(eq(messages.conversationId, turn.conversationId))
      .orderBy(asc(messages.createdAt));
    const answerAt = new Date(now.getTime() + 1);
    expect(rows).toMatchObject([
      { id: turn.userMessage!.id, role: 'user', content: 'Hi', status: 'complete', model: null },
      { id: turn.assistant.id, role: 'assistant', content: '', status: 'streaming', model: 'chat-default' },
    ]);
    expect(rows.map((row) => [row.createdAt, row.updatedAt])).toEqual([
      [now, now],
      [answerAt, answerAt],
    ]);
  });

  it('continues a conversation (touched, title kept) and regenerates (old answer deleted, no question)', async () => {
    const first = await startTurn({ newConversationTitle: 'Kept' });
    const elsewhere = await startTurn();
    // One answer streaming per conversation: the one regenerated has ended.
    await answers.finish([finished(first)]);
    const later = new Date(first.now.getTime() + 60_000);
    const regenerated = await startTurn({
      conversationId: first.conversationId,
      newConversationTitle: null,
      userMessage: null,
      // The other conversation's answer is out of reach: deletion is scoped to this conversation.
      deleteMessageIds: [first.assistant.id, elsewhere.assistant.id],
      now: later,
    });
    expect(await conversationRow(first.conversationId)).toMatchObject({
      title: 'Kept',
      createdAt: first.now,
      updatedAt: later,
    });
    const ids = (
      await database.db
        .select({ id: messages.id })
        .from(messages)
        .where(eq(messages.conversationId, first.conversationId))
    ).map((row) => row.id);
    expect(ids.sort()).toEqual([first.userMessage!.id, regenerated.assistant.id].sort());
    expect(await messageRow(elsewhere.assistant.id)).toBeDefined();

    await answers.finish([finished(regenerated)]);
    const next = await startTurn({ conversationId: first.conversationId, newConversationTitle: null });
    expect(await messageRow(next.userMessage!.id)).toMatchObject({ role: 'user', content: 'Hi' });
    expect(await messageRow(first.assistant.id)).toBeUndefined();
  });

  it('starts a batch of turns of every kind in one statement, each as if written alone', async () => {
    const continued = await startTurn({ newConversationTitle: 'Continued' });
    const replaced = await startTurn({ newConversationTitle: 'Regenerated' });
    await answers.finish([finished(continued), finished(replaced)]);
    const at = new Date(continued.now.getTime() + 60_000);
    const fresh = turnRows({ newConversationTitle: 'New', now: at });
    const next = turnRows({ conversationId: continued.conversationId, newConversationTitle: null, now: at });
    const again = turnRows({
      now: at,
      conversationId: replaced.conversationId,
      newConversationTitle: null,
      userMessage: null,
      // Deletion is pairwise: the continued conversation's answer is not in this turn's conversation.
      deleteMessageIds: [replaced.assistant.id, continued.assistant.id],
    });
    await turns.insertTurns([fresh, next, again]);

    expect(await conversationRow(fresh.conversationId)).toMatchObject({ title: 'New', createdAt: at });
    expect(await conversationRow(continued.conversationId)).toMatchObject({
      title: 'Continued',
      updatedAt: at,
    });
    expect(await conversationRow(replaced.conversationId)).toMatchObject({
      title: 'Regenerated',
      updatedAt: at,
    });
    const idsIn = async (conversationId: string) =>
      (
        await database.db
          .select({ id: messages.id })
          .from(messages)
          .where(eq(messages.conversationId, conversationId))
      )
        .map((row) => row.id)
        .sort();
    expect(await idsIn(fresh.conversationId)).toEqual([fresh.userMessage!.id, fresh.assistant.id].sort());
    expect(await idsIn(continued.conversationId)).toEqual(
      [continued.userMessage!.id, continued.assistant.id, next.userMessage!.id, next.assistant.id].sort(),
    );
    expect(await idsIn(replaced.conversationId)).toEqual(
      [replaced.userMessage!.id, again.assistant.id].sort(),
    );
  });

  it('a batch with one turn for a chatbot that is gone writes nothing', async () => {
    const good = turnRows();
    const bad = turnRows({ chatbotId: 'no-such-bot' });
    const error = await turns.insertTurns([good, bad]).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(sqlStateIn(error, (state) => state === '23503')).toBe('23503');
    expect(await conversationRow(good.conversationId)).toBeUndefined();
  });

  it('a turn for a chatbot that is gone fails whole, with SQLSTATE 23503 in the cause chain', async () => {
    const conversationId = id('conv');
    const error = await startTurn({ conversationId, chatbotId: 'no-such-bot' }).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(sqlStateIn(error, (state) => state === '23503')).toBe('23503');
    expect(await conversationRow(conversationId)).toBeUndefined();
    const written = await database.db
      .select()
      .from(messages)
      .where(eq(messages.conversationId, conversationId));
    expect(written).toEqual([]);
  });

  it('refuses a second answer streaming in one conversation with 23505, writing nothing of that turn', async () => {
    const live = await startTurn();
    const continued = () =>
      turnRows({ conversationId: live.conversationId, newConversationTitle: null, now: new Date() });
    const failed = async (write: Promise<void>) =>
      sqlStateIn(
        await write.then(
          () => null,
          (caught: unknown) => caught,
        ),
        (state) => state === '23505',
      );
    const second = continued();
    expect(await failed(turns.insertTurns([second]))).toBe('23505');
    expect(await messageRow(second.userMessage!.id)).toBeUndefined();
    // Regenerating over the live answer neither deletes it nor starts another.
    const regenerate = continued();
    regenerate.userMessage = null;
    regenerate.deleteMessageIds = [live.assistant.id];
    expect(await failed(turns.insertTurns([regenerate]))).toBe('23505');
    expect(await messageRow(live.assistant.id)).toMatchObject({ status: 'streaming' });
    // Two turns of one conversation in one batch: the batch fails whole (the batcher retries each).
    const other = turnRows();
    await turns.insertTurns([other]);
    await answers.finish([finished(other)]);
    const [one, two] = [
      turnRows({ conversationId: other.conversationId, newConversationTitle: null }),
      turnRows({ conversationId: other.conversationId, newConversationTitle: null }),
    ];
    expect(await failed(turns.insertTurns([one!, two!]))).toBe('23505');
    expect(await messageRow(one!.assistant.id)).toBeUndefined();
    // Once the live answer ended, the conversation takes the next turn.
    await answers.finish([finished(live)]);
    await turns.insertTurns([continued()]);
  });

  it('finishes a batch: each answer exactly as given (nulls, odd text, full precision), usage rows only where given', async () => {
    const a = await startTurn();
    const b = await startTurn();
    const c = await startTurn();
    const odd = 'quote " backslash \\ comma , braces {} NULL\nnew line, émoji 🙂';
    const batch = [
      finished(a, {
        content: odd,
        finishReason: 'stop',
        answeredBy: 'provider/model-x',
        modelGroup: 'group',
        attemptedFallbacks: 2,
        upstreamRequestId: 'req-1',
        promptTokens: 12,
        completionTokens: 34,
        costUsd: 0.1 + 0.2,
        latencyMs: 1234,
        ttftMs: 56,
        usage: {
          id: id('usage'),
          userId,
          chatbotId,
          model: 'chat-default',
          promptTokens: 12,
          completionTokens: 34,
          costUsd: 0.1 + 0.2,
          costEstimated: false,
          tokensEstimated: false,
        },
      }),
      finished(b, { content: 'NULL', status: 'stopped', errorCode: 'aborted' }),
      finished(c, {
        content: '',
        status: 'error',
        errorCode: 'timeout',
        promptTokens: 7,
        completionTokens: 0,
        costUsd: null,
        usage: {
          id: id('usage'),
          userId,
          chatbotId,
          model: 'chat-default',
          promptTokens: 7,
          completionTokens: 0,
          costUsd: Math.PI / 1e9,
          // A stopped call: counted by us, priced from the catalog.
          costEstimated: true,
          tokensEstimated: true,
        },
      }),
    ];
    const before = Date.now();
    await answers.finish(batch);
    const after = Date.now();

    for (const turn of batch) {
      const { usage: _usage, messageId, ...stored } = turn;
      expect(await messageRow(messageId)).toMatchObject({ ...stored, id: messageId, role: 'assistant' });
    }
    const ledger = await database.db
      .select()
      .from(usageRecords)
      .where(
        inArray(
          usageRecords.id,
          batch.flatMap((turn) => (turn.usage ? [turn.usage.id] : [])),
        ),
      );
    expect(ledger).toHaveLength(2);
    for (const turn of [batch[0]!, batch[2]!]) {
      expect(ledger.find((row) => row.id === turn.usage!.id)).toMatchObject({ ...turn.usage, kind: 'chat' });
    }
    // The first ledger rows of this file: none for the turn without usage.
    expect(await database.db.select().from(usageRecords).where(eq(usageRecords.userId, userId))).toHaveLength(
      2,
    );

    for (const turn of [a, b, c]) {
      const { updatedAt } = (await conversationRow(turn.conversationId))!;
      expect(updatedAt.getTime()).toBeGreaterThanOrEqual(before);
      expect(updatedAt.getTime()).toBeLessThanOrEqual(after);
    }
    // The activity time is the JS clock's: whole milliseconds, so list cursors stay exact.
    const exact = await database.db
      .select({
        exact: sql<boolean>`date_trunc('milliseconds', ${conversations.updatedAt}) = ${conversations.updatedAt}`,
      })
      .from(conversations)
      .where(inArray(conversations.id, [a.conversationId, b.conversationId, c.conversationId]));
    expect(exact.map((row) => row.exact)).toEqual([true, true, true]);
  });

  it('a finish batch with one bad usage row writes nothing (one statement)', async () => {
    const a = await startTurn();
    const b = await startTurn();
    const batch = [
      finished(a, { content: 'kept back' }),
      finished(b, {
        content: 'kept back too',
        usage: {
          id: id('usage'),
          userId: 'no-such-user',
          chatbotId,
          model: 'chat-default',
          promptTokens: 1,
          completionTokens: 1,
          costUsd: 0,
          costEstimated: false,
          tokensEstimated: false,
        },
      }),
    ];
    const error = await answers.finish(batch).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(sqlStateIn(error, (state) => state === '23503')).toBe('23503');
    expect(await messageRow(a.assistant.id)).toMatchObject({ status: 'streaming', content: '' });
    expect(await messageRow(b.assistant.id)).toMatchObject({ status: 'streaming', content: '' });
  });

  it('flushes partials past one batch, touching only answers still streaming', async () => {
    const live = await Promise.all(Array.from({ length: 3 }, () => startTurn()));
    const done = await startTurn();
    await answers.finish([finished(done, { content: 'final' })]);
    // More rows than one statement carries; unknown ids are ignored, as before.
    const partials = [
      ...live.map((turn, index) => ({ id: turn.assistant.id, content: `partial ${index} "{,}" \\` })),
      { id: done.assistant.id, content: 'late flush' },
      ...Array.from({ length: 250 }, (_, index) => ({ id: `absent-${index}`, content: 'x' })),
    ];
    await answers.flushPartials(partials);
    for (const [index, turn] of live.entries()) {
      expect(await messageRow(turn.assistant.id)).toMatchObject({
        status: 'streaming',
        content: `partial ${index} "{,}" \\`,
      });
    }
    expect(await messageRow(done.assistant.id)).toMatchObject({ status: 'complete', content: 'final' });
  });

  it('touches only answers still streaming', async () => {
    const old = new Date(Date.now() - 60_000);
    const live = await startTurn({ now: old });
    const done = await startTurn({ now: old });
    await answers.finish([finished(done)]);
    await database.db
      .update(messages)
      .set({ updatedAt: old })
      .where(inArray(messages.id, [live.assistant.id, done.assistant.id]));
    await answers.touch([]);
    await answers.touch([live.assistant.id, done.assistant.id]);
    expect((await messageRow(live.assistant.id))!.updatedAt.getTime()).toBeGreaterThan(old.getTime() + 1000);
    expect((await messageRow(done.assistant.id))!.updatedAt).toEqual(old);
  });

  it('sends each statement with one text whatever the batch or variant (prepared once per connection)', async () => {
    const sent = recordStatements(database);
    try {
      const fresh = await startTurn();
      await answers.finish([finished(fresh)]);
      const again = await startTurn({
        conversationId: fresh.conversationId,
        newConversationTitle: null,
        userMessage: null,
        deleteMessageIds: [fresh.assistant.id],
      });
      const others = await Promise.all(Array.from({ length: 4 }, () => startTurn()));
      await answers.flushPartials([{ id: again.assistant.id, content: 'p' }]);
      await answers.flushPartials(others.map((turn) => ({ id: turn.assistant.id, content: 'q' })));
      await answers.touch([again.assistant.id]);
      await answers.touch(others.map((turn) => turn.assistant.id));
      await answers.finish([finished(again)]);
      await answers.finish(
        others.map((turn, index) =>
          finished(turn, {
            usage:
              index % 2 === 0
                ? {
                    id: id('usage'),
                    userId,
                    chatbotId,
                    model: 'chat-default',
                    promptTokens: 1,
                    completionTokens: 1,
                    costUsd: 0,
                    costEstimated: index === 0,
                    tokensEstimated: false,
                  }
                : null,
          }),
        ),
      );
    } finally {
      sent.stop();
    }
    const textsByName = new Map<string, Set<string>>();
    for (const statement of sent.statements) {
      if (database.kind === 'postgres') expect(statement.name).toBeDefined();
      const key = statement.name ?? statement.text;
      textsByName.set(key, (textsByName.get(key) ?? new Set()).add(statement.text));
    }
    // Six turn starts, two flushes, two touches, three finishes: four distinct texts.
    expect(sent.statements).toHaveLength(13);
    expect(textsByName.size).toBe(4);
    for (const texts of textsByName.values()) expect(texts.size).toBe(1);
  });
});

/** What reaches the driver: PGlite's `query(text, params)` or node-postgres' `query({ name, text })`. */
function recordStatements(database: Database) {
  const client = database.db.$client as unknown as { query: (...args: unknown[]) => unknown };
  const original = client.query;
  const statements: Array<{ name: string | undefined; text: string }> = [];
  client.query = function (this: unknown, ...args: unknown[]) {
    const [query] = args;
    statements.push(
      typeof query === 'string'
        ? { name: undefined, text: query }
        : (({ name, text }) => ({ name, text }))(query as { name?: string; text: string }),
    );
    return original.apply(this, args);
  };
  return {
    statements,
    stop: () => {
      client.query = original;
    },
  };
}
