import { attributeAnswer } from './chat/fallback.js';
import type { ChatMessage, Conversation, ConversationPage, ConversationWithMessages } from '@app/common';
import type { Db } from '../db/database.js';
import {
  ConversationRepository,
  type ConversationRow,
  type ConversationSearchRow,
  type MessageRow,
} from '../db/repositories/conversation-repository.js';
import { AppError, notFound } from '../errors.js';
import type { ChatbotService } from './chatbot-service.js';
import { MessageTree } from './chat/message-tree.js';

export interface ConversationServiceOptions {
  /**
   * The conversation's answer being written right now, on any instance, with its text so far
   * (fresher than the last flush): services/runs/run-hub.ts `peek`.
   */
  liveRun?: (conversationId: string) => Promise<{ assistantMessageId: string; text: string } | null>;
}

/** Reading and deleting conversations, always scoped to the owner (another user's id: not found). */
export class ConversationService {
  private readonly conversations: ConversationRepository;

  constructor(
    db: Db,
    private readonly chatbots: Pick<ChatbotService, 'getRow'>,
    private readonly options: ConversationServiceOptions = {},
  ) {
    this.conversations = new ConversationRepository(db);
  }

  /**
   * Newest activity first, `limit` per page; `cursor` is the previous page's `nextCursor`. With a
   * `query`, only conversations whose title or messages contain it (case-insensitive), each with
   * the matching text around the first hit in a message.
   */
  async list(
    userId: string,
    chatbotId: string,
    limit: number,
    cursor: string | null,
    query: string | null = null,
  ): Promise<ConversationPage> {
    await this.chatbots.getRow(userId, chatbotId);
    const after = cursor ? decodeCursor(cursor) : null;
    const rows: Array<ConversationRow | ConversationSearchRow> = query
      ? await this.conversations.searchPage(userId, chatbotId, query, limit + 1, after)
      : await this.conversations.listPage(userId, chatbotId, limit + 1, after);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map((row) => ('match' in row ? toSearchResult(row, query ?? '') : toConversation(row))),
      nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
    };
  }

  /** Renames a conversation (its place in the activity order stays). */
  async rename(userId: string, conversationId: string, title: string): Promise<Conversation> {
    const row = await this.conversations.renameOwned(userId, conversationId, title);
    if (!row) throw notFound('Conversation');
    return toConversation(row);
  }

  /**
   * One conversation with its active branch, root first, each message with its versions (decision
   * 0009), and the answer being written if any (`live`: its id and `seq`, the length of its content
   * here; the live stream continues from there).
   */
  async get(userId: string, conversationId: string): Promise<ConversationWithMessages> {
    const conversation = await this.conversations.findOwned(userId, conversationId);
    if (!conversation) throw notFound('Conversation');
    return this.read(conversation, await this.conversations.messagesOf(conversation.id));
  }

  /**
   * Shows (and continues) the branch through `messageId`: its newest leaf becomes the active one.
   * Refused while an answer is being written (it is on the active branch). Returns the new read.
   */
  async switchBranch(
    userId: string,
    conversationId: string,
    messageId: string,
  ): Promise<ConversationWithMessages> {
    const conversation = await this.conversations.findOwned(userId, conversationId);
    if (!conversation) throw notFound('Conversation');
    const rows = await this.conversations.messagesOf(conversation.id);
    const tree = new MessageTree(rows);
    if (!tree.get(messageId)) throw notFound('Message');
    if (rows.some((row) => row.status === 'streaming')) {
      throw new AppError(
        'conflict',
        'This conversation is still answering; stop it or wait for it to finish',
      );
    }
    const leaf = tree.newestLeafUnder(messageId);
    if (!(await this.conversations.setActive(conversation.id, conversation.activeMessageId, leaf))) {
      // A turn began since the read (its answer is the active leaf now): it wins.
      throw new AppError(
        'conflict',
        'This conversation is still answering; stop it or wait for it to finish',
      );
    }
    return this.read({ ...conversation, activeMessageId: leaf }, rows);
  }

  private async read(conversation: ConversationRow, rows: MessageRow[]): Promise<ConversationWithMessages> {
    const tree = new MessageTree(rows);
    const path = tree.path(conversation.activeMessageId);
    const streaming = path.some((row) => row.status === 'streaming');
    const run = streaming ? await this.options.liveRun?.(conversation.id) : null;
    const messages = path.map((row) => {
      const { siblingIds, siblingIndex } = tree.siblings(row.id);
      return {
        ...this.toMessage(row, run?.assistantMessageId === row.id ? run.text : undefined),
        siblingIds,
        siblingIndex,
        siblingCount: siblingIds.length,
      };
    });
    const live = messages.find(
      (message) => message.id === run?.assistantMessageId && message.status === 'streaming',
    );
    return {
      ...toConversation(conversation),
      messages,
      live: live ? { assistantMessageId: live.id, seq: live.content.length } : null,
    };
  }

  /** The conversation's last activity, for the live stream (another user's id: not found). */
  async activity(userId: string, conversationId: string): Promise<{ updatedAt: string }> {
    const conversation = await this.conversations.findOwned(userId, conversationId);
    if (!conversation) throw notFound('Conversation');
    return { updatedAt: conversation.updatedAt.toISOString() };
  }

  async delete(userId: string, conversationId: string): Promise<void> {
    if (!(await this.conversations.deleteOwned(userId, conversationId))) throw notFound('Conversation');
  }

  private toMessage(row: MessageRow, liveText?: string): ChatMessage {
    // Both are prefixes of the final text: the longer one (usually the run's buffer) is the fresher.
    const live =
      row.status === 'streaming' && liveText !== undefined && liveText.length >= row.content.length
        ? liveText
        : undefined;
    const attribution =
      row.role === 'assistant'
        ? attributeAnswer({
            requested: row.model,
            modelGroup: row.modelGroup,
            attemptedFallbacks: row.attemptedFallbacks,
          })
        : null;
    return {
      id: row.id,
      conversationId: row.conversationId,
      role: row.role,
      content: live ?? row.content,
      status: row.status,
      errorCode: row.errorCode,
      model: row.model,
      answeredBy: attribution?.answeredBy ?? null,
      ...(attribution?.fallback ? { fallback: true } : {}),
      upstreamModel: row.answeredBy,
      finishReason: row.finishReason,
      usage:
        row.promptTokens !== null || row.completionTokens !== null
          ? { promptTokens: row.promptTokens ?? 0, completionTokens: row.completionTokens ?? 0 }
          : null,
      costUsd: row.costUsd,
      ttftMs: row.ttftMs,
      latencyMs: row.latencyMs,
      createdAt: row.createdAt.toISOString(),
      parentId: row.parentId,
    };
  }
}

function toConversation(row: ConversationRow): Conversation {
  return {
    id: row.id,
    chatbotId: row.chatbotId,
    title: row.title,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    ...(row.source === 'api' ? { source: 'api' as const } : {}),
  };
}

/** A search hit; the snippet only when the title itself does not show the match. */
function toSearchResult(row: ConversationSearchRow, query: string): Conversation {
  const conversation = toConversation(row);
  if (!row.match || row.title.toLowerCase().includes(query.toLowerCase())) return conversation;
  const { snippet, atStart, atEnd } = row.match;
  return { ...conversation, snippet: `${atStart ? '' : '…'}${snippet}${atEnd ? '' : '…'}` };
}

/** Opaque to clients: base64url of "<updatedAt ISO>|<id>". Microseconds are cut to ms by Date. */
function encodeCursor(row: ConversationRow): string {
  return Buffer.from(`${row.updatedAt.toISOString()}|${row.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { updatedAt: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|', 2);
  const updatedAt = new Date(iso ?? '');
  if (!id || Number.isNaN(updatedAt.getTime()))
    throw new AppError('validation_failed', 'cursor: invalid cursor');
  return { updatedAt, id };
}
