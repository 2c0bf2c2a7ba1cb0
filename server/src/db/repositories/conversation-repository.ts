import { and, desc, eq, lt, or } from 'drizzle-orm';
import type { Db } from '../database.js';
import { runPrepared, type PreparedStatement } from '../prepared.js';
import { conversations, messages } from '../schema.js';

export type ConversationRow = typeof conversations.$inferSelect;
export type MessageRow = typeof messages.$inferSelect;

/** A past message as the history window needs it. */
export interface HistoryMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** What one turn writes before the answer streams: in ONE short transaction. */
export interface TurnRows {
  userId: string;
  chatbotId: string;
  conversationId: string;
  /** Set when the conversation is new (created with this title). */
  newConversationTitle: string | null;
  /** The user message to insert, or null when regenerating an existing one. */
  userMessage: { id: string; content: string } | null;
  /** Messages to delete in the same transaction (the previous answer, when regenerating). */
  deleteMessageIds: string[];
  assistant: { id: string; model: string };
  now: Date;
}

/** How far back history is read: the char budget trims further, this bounds the read. */
const HISTORY_READ_LIMIT = 200;

/** Conversation and turn rows. Every read is scoped to the owner: another user's id finds nothing. */
export class ConversationRepository {
  constructor(private readonly db: Db) {}

  async findOwned(userId: string, conversationId: string): Promise<ConversationRow | null> {
    const rows = await this.db
      .select()
      .from(conversations)
      .where(and(eq(conversations.id, conversationId), eq(conversations.userId, userId)))
      .limit(1);
    return rows[0] ?? null;
  }

  /** Newest first; the cursor is the last item's (updatedAt, id) of the previous page. */
  async listPage(
    userId: string,
    chatbotId: string,
    limit: number,
    cursor: { updatedAt: Date; id: string } | null,
  ): Promise<ConversationRow[]> {
    const owner = and(eq(conversations.chatbotId, chatbotId), eq(conversations.userId, userId));
    const after = cursor
      ? or(
          lt(conversations.updatedAt, cursor.updatedAt),
          and(eq(conversations.updatedAt, cursor.updatedAt), lt(conversations.id, cursor.id)),
        )
      : undefined;
    return this.db
      .select()
      .from(conversations)
      .where(after ? and(owner, after) : owner)
      .orderBy(desc(conversations.updatedAt), desc(conversations.id))
      .limit(limit);
  }

  /** All messages, oldest first (the conversation must already be known to be the caller's). */
  async messagesOf(conversationId: string): Promise<MessageRow[]> {
    return this.db
      .select()
      .from(messages)
      .where(eq(messages.conversationId, conversationId))
      .orderBy(messages.createdAt, messages.id);
  }

  /** The latest messages with text, oldest first, for the history window. */
  async history(conversationId: string): Promise<Array<HistoryMessage & { id: string; status: string }>> {
    const rows = await this.db
      .select({ id: messages.id, role: messages.role, content: messages.content, status: messages.status })
      .from(messages)
      .where(eq(messages.conversationId, conversationId))
      .orderBy(desc(messages.createdAt), desc(messages.id))
      .limit(HISTORY_READ_LIMIT);
    return rows.reverse();
  }

  async deleteOwned(userId: string, conversationId: string): Promise<boolean> {
    const deleted = await this.db
      .delete(conversations)
      .where(and(eq(conversations.id, conversationId), eq(conversations.userId, userId)))
      .returning({ id: conversations.id });
    return deleted.length > 0;
  }

  /**
   * Writes the start of a turn: the conversation (new, or touched), the user message and the
   * assistant message in status `streaming`, as ONE statement (data-modifying CTEs): atomic like a
   * transaction, but one round trip on the first-token path, and PGlite's single connection is held
   * for one statement only.
   */
  async insertTurn(rows: TurnRows): Promise<void> {
    const at = rows.now.toISOString();
    // One millisecond later, so "oldest first" never puts the answer before its question.
    const answerAt = new Date(rows.now.getTime() + 1).toISOString();
    await runPrepared(this.db, INSERT_TURN, [
      rows.conversationId,
      rows.chatbotId,
      rows.userId,
      rows.newConversationTitle,
      at,
      rows.deleteMessageIds,
      rows.userMessage?.id ?? null,
      rows.userMessage?.content ?? null,
      rows.assistant.id,
      rows.assistant.model,
      answerAt,
    ]);
  }
}

/**
 * Every variant of a turn start in one text, so it is prepared once: a title ($4) means a new
 * conversation (else the existing one is touched), a null user message ($7, $8) means a regenerated
 * answer, and an empty $6 deletes nothing.
 */
const INSERT_TURN: PreparedStatement = {
  name: 'conversation_insert_turn',
  text: `
    with created as (
      insert into conversations (id, chatbot_id, user_id, title, created_at, updated_at)
      select $1::text, $2::text, $3::text, $4::text, $5::timestamptz, $5::timestamptz
      where $4::text is not null),
    touched as (
      update conversations set updated_at = $5::timestamptz where id = $1::text and $4::text is null),
    removed as (
      delete from messages where conversation_id = $1::text and id = any($6::text[]))
    insert into messages (id, conversation_id, role, content, status, model, created_at, updated_at)
    select $7::text, $1::text, 'user', $8::text, 'complete', null, $5::timestamptz, $5::timestamptz
    where $7::text is not null
    union all
    select $9::text, $1::text, 'assistant', '', 'streaming', $10::text, $11::timestamptz, $11::timestamptz`,
};
