import { randomUUID } from 'node:crypto';
import type { ChatRequestBody, EditMessageBody } from '@app/common';
import type { Db } from '../../db/database.js';
import type { LlmClient } from '../../llm/client.js';
import { AppError, notFound } from '../../errors.js';
import { sqlStateIn } from '../../db/sql-state.js';
import {
  ConversationRepository,
  type ConversationRow,
  type PathMessage,
} from '../../db/repositories/conversation-repository.js';
import { MessageRepository } from '../../db/repositories/message-repository.js';
import type { ChatbotService } from '../chatbot-service.js';
import { buildTurnMessages, countChars } from './history-window.js';
import { chargeCall } from '../limits/call-charge.js';
import { conversationTitle } from './conversation-title.js';
import { RunHub } from '../runs/run-hub.js';
import { StreamRegistry } from './stream-registry.js';
import { TurnRunner } from './turn-runner.js';
import { WriteBatcher } from './write-batcher.js';
import type {
  CallAdmission,
  CallRequest,
  ChatLogger,
  ChatServiceOptions,
  TurnOptions,
  TurnOutcome,
  TurnSink,
} from './chat-types.js';
import type { TurnPlan } from './turn-plan.js';

const FOREIGN_KEY_VIOLATION = '23503';
/** The turn start's only unique key a caller can collide on: one streaming answer per conversation. */
const UNIQUE_VIOLATION = '23505';

const STILL_ANSWERING = 'This conversation is still answering; stop it or wait for it to finish';
const NOTHING_TO_ANSWER = 'There is no message to answer again';

const silentLogger: ChatLogger = { warn: () => {}, error: () => {} };

/** Without plan limits: charged like any call (no catalog price), never refused. */
const admitAll = async (call: CallRequest): Promise<CallAdmission> => ({
  maxTokens: call.maxTokens,
  charge: (finished) => chargeCall(finished, undefined, call.maxTokens),
  settle: async () => {},
  release: async () => {},
});

/**
 * Chat turns: authorises, builds the prompt (system + bounded history + message), runs the turn
 * and keeps the registry of answers this process is streaming (Stop, shutdown, crash recovery).
 * Each turn is a run (services/runs): it goes on until it ends, is stopped or fails, whoever watches.
 * Knows no HTTP and no provider.
 */
export class ChatService {
  readonly registry: StreamRegistry;
  /** The runs and their viewers (live streams; other instances through the relay). */
  readonly runs: RunHub;
  private readonly conversations: ConversationRepository;
  private readonly messages: MessageRepository;
  private readonly runner: TurnRunner;

  constructor(
    db: Db,
    llm: LlmClient,
    private readonly chatbots: Pick<ChatbotService, 'getCachedRow' | 'forget'>,
    private readonly options: ChatServiceOptions,
  ) {
    const logger = options.logger ?? silentLogger;
    this.conversations = new ConversationRepository(db);
    this.messages = new MessageRepository(db);
    this.registry = new StreamRegistry({
      flushIntervalMs: options.flushIntervalMs ?? 1000,
      writer: this.messages,
      onFlushError: (error) => logger.warn({ err: error }, 'saving partial answers failed; will retry'),
    });
    this.runs = options.runs ?? new RunHub({ logger });
    this.runner = new TurnRunner({
      llm,
      runs: this.runs,
      starts: new WriteBatcher((turns) => this.conversations.insertTurns(turns)),
      ends: new WriteBatcher((turns) => this.messages.finish(turns)),
      registry: this.registry,
      logger,
      commitAfterMs: options.commitAfterMs ?? 1500,
      maxTurnMs: options.maxTurnMs ?? 10 * 60_000,
      maxAnswerChars: options.maxAnswerChars ?? 1_000_000,
    });
  }

  /** A new message to a chatbot, in a new or an existing conversation. */
  async chat(
    userId: string,
    chatbotId: string,
    body: ChatRequestBody,
    sink: TurnSink,
    options: TurnOptions = {},
  ): Promise<TurnOutcome> {
    const [chatbot, conversation] = await Promise.all([
      this.chatbots.getCachedRow(userId, chatbotId),
      body.conversationId ? this.conversations.findOwned(userId, body.conversationId) : null,
    ]);
    if (body.conversationId && (!conversation || conversation.chatbotId !== chatbot.id)) {
      throw notFound('Conversation');
    }
    // A visitor's turn continues only that visitor's conversation, the owner's only their own
    // (a visitor conversation is read-only in the owner's inbox; issue 22).
    if (conversation && conversation.visitorId !== (options.visitorId ?? null))
      throw notFound('Conversation');
    if (conversation) this.assertIdle(conversation.id);
    // Both before the upstream call, side by side: nothing sequential that need not be. The history
    // is the active branch; the new message continues it (decision 0009).
    const [, history] = await Promise.all([
      this.options.assertModelAllowed(userId, chatbot.model),
      conversation ? this.conversations.path(conversation.id) : [],
    ]);
    const userMessageId = randomUUID();
    const turn = this.runAdmitted(
      {
        userId,
        chatbot,
        conversationId: conversation?.id ?? randomUUID(),
        newConversationTitle: conversation ? null : conversationTitle(body.message),
        ...(options.visitorId === undefined ? {} : { visitorId: options.visitorId }),
        userMessage: { id: userMessageId, content: body.message, parentId: history.at(-1)?.id ?? null },
        userMessageId,
        llmMessages: buildTurnMessages(
          chatbot.systemPrompt,
          history,
          body.message,
          this.options.historyMaxChars,
        ),
      },
      sink,
      options,
    );
    return turn.catch((error: unknown) => {
      // The cached row outlived the chatbot (deleted on another instance, the news not arrived).
      if (sqlStateIn(error, (state) => state === FOREIGN_KEY_VIOLATION) === null) throw error;
      this.chatbots.forget(chatbot.id);
      throw notFound('Chatbot');
    });
  }

  /**
   * Answers the active branch's last question again: a new version of its answer (the old one is
   * kept, decision 0009), streamed like chat.
   */
  async regenerate(
    userId: string,
    conversationId: string,
    sink: TurnSink,
    options: TurnOptions = {},
  ): Promise<TurnOutcome> {
    const conversation = await this.conversations.findOwned(userId, conversationId);
    // A visitor's conversation (issue 22) is read-only to its owner.
    if (!conversation || conversation.visitorId !== null) throw notFound('Conversation');
    const path = await this.conversations.path(conversation.id);
    const question = path.findLastIndex((message) => message.role === 'user');
    if (question < 0) throw new AppError('conflict', NOTHING_TO_ANSWER);
    return this.answerOnBranch(userId, conversation, path.slice(0, question + 1), null, sink, options);
  }

  /**
   * Sends a new version of a sent user message: a sibling of `messageId` (same parent), answered
   * with the branch before it as history. The later turns stay on the old branch.
   */
  async edit(
    userId: string,
    messageId: string,
    body: EditMessageBody,
    sink: TurnSink,
    options: TurnOptions = {},
  ): Promise<TurnOutcome> {
    const { message, conversation } = await this.ownedMessage(userId, messageId);
    if (message.role !== 'user') throw new AppError('conflict', 'Only a message you sent can be edited');
    const before = await this.conversations.path(conversation.id, message.parentId);
    const userMessage = { id: randomUUID(), content: body.content, parentId: message.parentId };
    return this.answerOnBranch(userId, conversation, before, userMessage, sink, options);
  }

  /** Answers the question of `messageId` (an answer) again: a new version beside it, streamed. */
  async regenerateMessage(
    userId: string,
    messageId: string,
    sink: TurnSink,
    options: TurnOptions = {},
  ): Promise<TurnOutcome> {
    const { message, conversation } = await this.ownedMessage(userId, messageId);
    if (message.role !== 'assistant') {
      throw new AppError('conflict', 'Only an answer can be regenerated; edit a message you sent instead');
    }
    const branch = await this.conversations.path(conversation.id, message.parentId);
    if (branch.at(-1)?.role !== 'user') throw new AppError('conflict', NOTHING_TO_ANSWER);
    return this.answerOnBranch(userId, conversation, branch, null, sink, options);
  }

  /**
   * A turn on a branch: `branch` is the path root first; it ends with the question when
   * `userMessage` is null (answered again), else the new user message follows it.
   */
  private async answerOnBranch(
    userId: string,
    conversation: ConversationRow,
    branch: PathMessage[],
    userMessage: { id: string; content: string; parentId: string | null } | null,
    sink: TurnSink,
    options: TurnOptions,
  ): Promise<TurnOutcome> {
    const chatbot = await this.chatbots.getCachedRow(userId, conversation.chatbotId);
    await this.options.assertModelAllowed(userId, chatbot.model);
    this.assertIdle(conversation.id);
    const question = userMessage ?? branch.at(-1);
    if (!question) throw new AppError('conflict', NOTHING_TO_ANSWER);
    const history = userMessage ? branch : branch.slice(0, -1);
    return this.runAdmitted(
      {
        userId,
        chatbot,
        conversationId: conversation.id,
        newConversationTitle: null,
        userMessage,
        userMessageId: question.id,
        llmMessages: buildTurnMessages(
          chatbot.systemPrompt,
          history,
          question.content,
          this.options.historyMaxChars,
        ),
      },
      sink,
      options,
    );
  }

  /** A message of one of the user's conversations, with its conversation (else 404). */
  private async ownedMessage(userId: string, messageId: string) {
    const message = await this.messages.findOwned(userId, messageId);
    const conversation = message && (await this.conversations.findOwned(userId, message.conversationId));
    // A visitor's conversation (issue 22) is read-only to its owner: no edit, no new version.
    if (!message || !conversation || conversation.visitorId !== null) throw notFound('Message');
    return { message, conversation };
  }

  /**
   * Runs a turn inside the plan limits: admitted (or refused) before anything is written or sent,
   * settled with the real usage (partial answers included), the stream slot freed in every case.
   */
  private async runAdmitted(plan: TurnPlan, sink: TurnSink, options: TurnOptions): Promise<TurnOutcome> {
    // A visitor's turn (services/publishing) wraps the owner's admission with its bot's caps.
    const admission = await (options.admit ?? this.options.admit ?? admitAll)({
      userId: plan.userId,
      model: plan.chatbot.model,
      inputChars: plan.userMessage?.content.length ?? lastUserChars(plan),
      promptChars: countChars(plan.llmMessages),
      maxTokens: plan.chatbot.maxTokens,
    });
    try {
      // The runner settles the budget with the charge it writes to the ledger (turn-recorder.ts).
      return await this.runner.run(
        { ...plan, chatbot: { ...plan.chatbot, maxTokens: admission.maxTokens } },
        sink,
        options,
        admission,
      );
    } catch (error) {
      // Another turn of this conversation holds its one streaming answer (any instance): nothing
      // was written or sent for this one.
      if (sqlStateIn(error, (state) => state === UNIQUE_VIOLATION) !== null) {
        throw new AppError('conflict', STILL_ANSWERING);
      }
      throw error;
    } finally {
      await admission.release();
    }
  }

  /** Stops an answer this process is streaming. False when it is not streaming here (or not theirs). */
  stop(userId: string, assistantMessageId: string): boolean {
    const turn = this.registry.get(assistantMessageId);
    if (!turn || turn.userId !== userId) return false;
    turn.abort('stopped');
    return true;
  }

  /**
   * Stop of a message by id: 404 unless it is one of the user's messages; then true when this
   * process was streaming it (a turn on another instance is not reachable from here).
   */
  async stopMessage(userId: string, messageId: string): Promise<boolean> {
    const message = await this.messages.findOwned(userId, messageId);
    if (!message) throw notFound('Message');
    if (this.stop(userId, messageId)) return true;
    if (message.status !== 'streaming' || !this.options.broadcastStop) return false;
    await this.options.broadcastStop(messageId);
    return true;
  }

  /** A Stop broadcast by another instance (ownership was checked there). */
  stopBroadcast(messageId: string): void {
    this.registry.get(messageId)?.abort('stopped');
  }

  /**
   * Graceful shutdown: aborts every live answer and waits (bounded) until each is saved
   * `interrupted` with its partial text; then every live stream ends (its viewers were told).
   */
  async finalizeAll(timeoutMs = 5000): Promise<number> {
    this.registry.close();
    const turns = this.registry.all();
    for (const turn of turns) turn.abort('interrupted');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(turns.map((turn) => turn.settled)),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    this.registry.stop();
    this.runs.close();
    return turns.length;
  }

  /**
   * Marks answers whose writer died (crash, kill -9) as `interrupted`: rows still `streaming` whose
   * last flush is older than `staleAfterMs`. Safe with several instances on one database: a live
   * writer anywhere bumps its rows every flush. Returns how many were marked.
   */
  recoverInterrupted(staleAfterMs: number): Promise<number> {
    return this.messages.markStaleInterrupted(staleAfterMs, this.registry.ids());
  }

  /**
   * A second turn in a conversation that is still answering would interleave two answers. This
   * in-process check only refuses early; the guarantee is the database's (one `streaming` answer per
   * conversation, a unique index the turn start claims: see TurnRunner and runAdmitted).
   */
  private assertIdle(conversationId: string): void {
    if (this.registry.hasConversation(conversationId)) throw new AppError('conflict', STILL_ANSWERING);
  }
}

function lastUserChars(plan: TurnPlan): number {
  return plan.llmMessages.at(-1)?.content.length ?? 0;
}
