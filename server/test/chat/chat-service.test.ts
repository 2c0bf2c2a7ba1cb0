import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { ChatService } from '../../src/services/chat/chat-service.js';
import { MessageRepository } from '../../src/db/repositories/message-repository.js';
import type { ChatServiceOptions } from '../../src/services/chat/chat-types.js';
import { ChatbotService } from '../../src/services/chatbot-service.js';
import { messages, usageRecords } from '../../src/db/schema.js';
import { AppError } from '../../src/errors.js';
import { LlmError } from '../../src/llm/llm-errors.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { FakeLlmClient } from '../helpers/fake-llm-client.js';
import { RecordingSink, countingDb, userWithChatbot, waitFor } from './chat-fixtures.js';

describe('ChatService', () => {
  let t: TestApp;
  let alice: { userId: string; chatbotId: string };
  let bob: { userId: string; chatbotId: string };

  beforeAll(async () => {
    t = await buildTestApp();
    alice = await userWithChatbot(t, 'alice@example.com', {
      model: 'chat-default',
      temperature: 0.3,
      maxTokens: 99,
    });
    bob = await userWithChatbot(t, 'bob@example.com');
  });
  afterAll(() => t.close());

  function service(llm: FakeLlmClient, options: Partial<ChatServiceOptions> = {}, db = t.database.db) {
    const chatbots = new ChatbotService(db, {
      defaultModel: 'chat-default',
      defaultMaxTokens: 100,
      maxTokensCeiling: 1000,
      assertModelAllowed: async () => {},
    });
    return new ChatService(db, llm, chatbots, {
      historyMaxChars: 10_000,
      assertModelAllowed: async () => {},
      flushIntervalMs: 50,
      ...options,
    });
  }

  const row = async (id: string) =>
    (await t.database.db.select().from(messages).where(eq(messages.id, id)))[0]!;

  it('runs a turn with the chatbot settings and stores everything about it', async () => {
    const llm = new FakeLlmClient().queueText('Hello there friend', { costUsd: 0.0042 });
    const chat = service(llm);
    const sink = new RecordingSink();
    const outcome = await chat.chat(alice.userId, alice.chatbotId, { message: 'Hi!' }, sink);

    expect(sink.order[0]).toBe('start');
    expect(sink.deltas.join('')).toBe('Hello there friend');
    expect(outcome).toMatchObject({
      status: 'complete',
      content: 'Hello there friend',
      finishReason: 'stop',
      costUsd: 0.0042,
    });
    expect(llm.calls[0]!.messages).toEqual([
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: 'Hi!' },
    ]);
    expect(llm.calls[0]!.options).toMatchObject({
      model: 'chat-default',
      temperature: 0.3,
      maxTokens: 99,
      endUserId: alice.userId,
    });

    const answer = await row(outcome.meta.assistantMessageId);
    expect(answer).toMatchObject({
      role: 'assistant',
      status: 'complete',
      content: 'Hello there friend',
      finishReason: 'stop',
      model: 'chat-default',
      answeredBy: 'fake-model',
      upstreamRequestId: 'fake-request',
      promptTokens: 10,
      completionTokens: 3,
      costUsd: 0.0042,
    });
    expect(answer.latencyMs).toBeGreaterThanOrEqual(0);
    expect(answer.ttftMs).toBeGreaterThanOrEqual(0);
    expect(await row(outcome.meta.userMessageId)).toMatchObject({
      role: 'user',
      content: 'Hi!',
      status: 'complete',
    });
    const ledger = await t.database.db
      .select()
      .from(usageRecords)
      .where(eq(usageRecords.userId, alice.userId));
    expect(ledger).toEqual([
      expect.objectContaining({
        kind: 'chat',
        chatbotId: alice.chatbotId,
        promptTokens: 10,
        completionTokens: 3,
        costUsd: 0.0042,
      }),
    ]);

    // The next turn carries the history.
    llm.queueText('Second answer');
    await chat.chat(
      alice.userId,
      alice.chatbotId,
      { message: 'Again', conversationId: outcome.meta.conversationId },
      new RecordingSink(),
    );
    expect(llm.calls[1]!.messages.map((message) => message.content)).toEqual([
      'You are helpful.',
      'Hi!',
      'Hello there friend',
      'Again',
    ]);
  });

  it('turns that end together are saved in one statement, each with its own answer and usage row', async () => {
    const ledgerOf = () =>
      t.database.db.select().from(usageRecords).where(eq(usageRecords.userId, bob.userId));
    const before = (await ledgerOf()).length;
    const finish = vi.spyOn(MessageRepository.prototype, 'finish');
    const llm = new FakeLlmClient();
    for (let index = 0; index < 6; index++) llm.queueText(`Answer number ${index}`);
    const chat = service(llm);
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        chat.chat(bob.userId, bob.chatbotId, { message: `Question ${index}` }, new RecordingSink()),
      ),
    );
    const statements = finish.mock.calls.length;
    finish.mockRestore();
    expect(statements).toBeLessThan(6);
    for (const outcome of outcomes) {
      expect(await row(outcome.meta.assistantMessageId)).toMatchObject({
        status: 'complete',
        content: outcome.content,
      });
    }
    expect(new Set(outcomes.map((outcome) => outcome.content)).size).toBe(6);
    expect((await ledgerOf()).length - before).toBe(6);
  });

  it('writes partial text about once per flush interval, never per token', async () => {
    const { db, counts } = countingDb(t.database.db);
    const steps = FakeLlmClient.replySteps('tok '.repeat(150).trim(), { tokenDelayMs: 2 });
    const llm = new FakeLlmClient().queueStream(steps);
    const chat = service(llm, { flushIntervalMs: 100 }, db);
    const outcome = await chat.chat(alice.userId, alice.chatbotId, { message: 'Count' }, new RecordingSink());
    expect(outcome.status).toBe('complete');
    expect(outcome.content.split(' ')).toHaveLength(150);
    // 150 deltas over ≥ 300 ms: a handful of flushes, one start statement, one finish statement.
    expect(counts.execute).toBeLessThan(15);
    expect(counts.transaction).toBe(0);
    expect(counts.update).toBeLessThan(15);
  });

  it('saves the partial text while streaming, and Stop keeps it as stopped', async () => {
    const steps = FakeLlmClient.replySteps('one two three').filter((step) => step.type !== 'done');
    const llm = new FakeLlmClient().queueStream([...steps, { type: 'hang' }]);
    const chat = service(llm);
    const sink = new RecordingSink();
    const running = chat.chat(alice.userId, alice.chatbotId, { message: 'Stop me' }, sink);
    await sink.firstDelta;
    const id = sink.meta!.assistantMessageId;
    await waitFor(async () => (await row(id)).content === 'one two three');
    expect((await row(id)).status).toBe('streaming');
    expect(chat.runs.current(sink.meta!.conversationId)?.text()).toBe('one two three');

    expect(chat.stop(bob.userId, id)).toBe(false);
    await expect(chat.stopMessage(bob.userId, id)).rejects.toMatchObject({ code: 'not_found' });
    expect(await chat.stopMessage(alice.userId, id)).toBe(true);
    const outcome = await running;
    expect(outcome).toMatchObject({
      status: 'stopped',
      content: 'one two three',
      error: { code: 'aborted' },
    });
    expect(await row(id)).toMatchObject({ status: 'stopped', content: 'one two three' });
    expect(chat.registry.size).toBe(0);
    expect(chat.stop(alice.userId, id)).toBe(false);
  });

  it('a caller that goes away stops the turn', async () => {
    const llm = new FakeLlmClient().queueStream([
      ...FakeLlmClient.replySteps('partial').slice(0, 2),
      { type: 'hang' },
    ]);
    const chat = service(llm);
    const sink = new RecordingSink();
    const caller = new AbortController();
    const running = chat.chat(alice.userId, alice.chatbotId, { message: 'Bye' }, sink, {
      signal: caller.signal,
    });
    await sink.firstDelta;
    caller.abort();
    expect(await running).toMatchObject({ status: 'stopped', content: 'partial' });
  });

  it('an upstream error mid-answer keeps the partial text with status error', async () => {
    const llm = new FakeLlmClient().queueError(
      new LlmError('unexpected_end', 'The model stopped answering.'),
      'half an',
    );
    const chat = service(llm);
    const outcome = await chat.chat(alice.userId, alice.chatbotId, { message: 'Cut' }, new RecordingSink());
    expect(outcome).toMatchObject({ status: 'error', content: 'half an', error: { code: 'unexpected_end' } });
    expect(await row(outcome.meta.assistantMessageId)).toMatchObject({
      status: 'error',
      errorCode: 'unexpected_end',
      content: 'half an',
    });
  });

  it('an upstream failure before any output is thrown, with the turn saved as error', async () => {
    const llm = new FakeLlmClient().queueStream([
      {
        type: 'error',
        error: new LlmError('rate_limited', 'Slow down.', { status: 429, retryAfterMs: 2000 }),
      },
    ]);
    const chat = service(llm);
    const sink = new RecordingSink();
    const failure = await chat
      .chat(alice.userId, alice.chatbotId, { message: 'Busy?' }, sink)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    const appError = failure as AppError;
    expect(appError.code).toBe('rate_limited');
    expect(appError.extra.retryAfterSeconds).toBe(2);
    const ids = appError.extra.details as { userMessageId: string; assistantMessageId: string };
    expect(sink.order).toEqual([]);
    expect(await row(ids.userMessageId)).toMatchObject({ content: 'Busy?', status: 'complete' });
    expect(await row(ids.assistantMessageId)).toMatchObject({
      status: 'error',
      errorCode: 'rate_limited',
      content: '',
    });
  });

  it('checks eligibility and ownership before calling the upstream', async () => {
    const llm = new FakeLlmClient();
    const chat = service(llm, {
      assertModelAllowed: async () => {
        throw new AppError('model_not_allowed', 'Not on your plan');
      },
    });
    await expect(
      chat.chat(alice.userId, alice.chatbotId, { message: 'x' }, new RecordingSink()),
    ).rejects.toMatchObject({
      code: 'model_not_allowed',
    });
    const open = service(llm);
    await expect(
      open.chat(bob.userId, alice.chatbotId, { message: 'x' }, new RecordingSink()),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
    const mine = await open.chat(alice.userId, alice.chatbotId, { message: 'mine' }, new RecordingSink());
    await expect(
      open.chat(
        bob.userId,
        bob.chatbotId,
        { message: 'x', conversationId: mine.meta.conversationId },
        new RecordingSink(),
      ),
    ).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      open.regenerate(bob.userId, mine.meta.conversationId, new RecordingSink()),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(llm.calls).toHaveLength(1);
  });

  it('regenerate adds a version of the last answer and keeps the old one (decision 0009)', async () => {
    const llm = new FakeLlmClient().queueText('First try').queueText('Second try');
    const chat = service(llm);
    const first = await chat.chat(
      alice.userId,
      alice.chatbotId,
      { message: 'Question' },
      new RecordingSink(),
    );
    const second = await chat.regenerate(alice.userId, first.meta.conversationId, new RecordingSink());
    expect(second.meta.userMessageId).toBe(first.meta.userMessageId);
    expect(second.content).toBe('Second try');
    expect(llm.calls[1]!.messages.map((message) => message.content)).toEqual([
      'You are helpful.',
      'Question',
    ]);
    const rows = await t.database.db
      .select()
      .from(messages)
      .where(eq(messages.conversationId, first.meta.conversationId))
      .orderBy(messages.createdAt);
    expect(rows.map((message) => [message.role, message.content, message.parentId])).toEqual([
      ['user', 'Question', null],
      ['assistant', 'First try', first.meta.userMessageId],
      ['assistant', 'Second try', first.meta.userMessageId],
    ]);
  });

  it('an endless answer is cut at the turn deadline', async () => {
    const llm = new FakeLlmClient().queueStream([
      ...FakeLlmClient.replySteps('going').slice(0, 2),
      { type: 'hang' },
    ]);
    const chat = service(llm, { maxTurnMs: 100 });
    const outcome = await chat.chat(
      alice.userId,
      alice.chatbotId,
      { message: 'Forever' },
      new RecordingSink(),
    );
    expect(outcome).toMatchObject({ status: 'error', content: 'going', error: { code: 'timeout' } });
  });

  it('finalizeAll saves live answers as interrupted with their partial text', async () => {
    const llm = new FakeLlmClient()
      .queueStream([...FakeLlmClient.replySteps('first').slice(0, 2), { type: 'hang' }])
      .queueStream([...FakeLlmClient.replySteps('second').slice(0, 2), { type: 'hang' }]);
    const chat = service(llm);
    const sinks = [new RecordingSink(), new RecordingSink()];
    const running = sinks.map((sink, index) =>
      chat.chat(alice.userId, alice.chatbotId, { message: `m${index}` }, sink),
    );
    await Promise.all(sinks.map((sink) => sink.firstDelta));
    expect(await chat.finalizeAll()).toBe(2);
    const outcomes = await Promise.all(running);
    // The two turns reach the upstream in either order (a real pool runs them side by side).
    expect(outcomes.map((outcome) => [outcome.status, outcome.content]).sort()).toEqual([
      ['interrupted', 'first'],
      ['interrupted', 'second'],
    ]);
    for (const outcome of outcomes) {
      expect(await row(outcome.meta.assistantMessageId)).toMatchObject({
        status: 'interrupted',
        content: outcome.content,
      });
    }
  });

  it('recovery marks only answers whose writer stopped flushing as interrupted', async () => {
    const llm = new FakeLlmClient().queueStream([
      ...FakeLlmClient.replySteps('alive').slice(0, 2),
      { type: 'hang' },
    ]);
    const crashed = service(
      new FakeLlmClient().queueStream([...FakeLlmClient.replySteps('dead').slice(0, 2), { type: 'hang' }]),
      {
        flushIntervalMs: 10_000,
      },
    );
    const deadSink = new RecordingSink();
    void crashed.chat(alice.userId, alice.chatbotId, { message: 'crash' }, deadSink);
    await deadSink.firstDelta;
    const deadId = deadSink.meta!.assistantMessageId;
    // The "crashed" process never flushes again: make its last write old.
    crashed.registry.stop();
    await t.database.db.execute(
      sql`update messages set updated_at = now() - interval '1 minute' where id = ${deadId}`,
    );

    const chat = service(llm);
    const liveSink = new RecordingSink();
    const live = chat.chat(alice.userId, alice.chatbotId, { message: 'live' }, liveSink);
    await liveSink.firstDelta;
    const other = service(new FakeLlmClient());
    expect(await other.recoverInterrupted(30_000)).toBe(1);
    expect((await row(deadId)).status).toBe('interrupted');
    expect((await row(liveSink.meta!.assistantMessageId)).status).toBe('streaming');

    chat.stop(alice.userId, liveSink.meta!.assistantMessageId);
    expect((await live).status).toBe('stopped');
    await crashed.finalizeAll(100);
  });
});
