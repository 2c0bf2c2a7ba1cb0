import { and, desc, eq, exists, ilike, isNull, lt, or, sql } from 'drizzle-orm';
import pg from 'pg';
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
  /** A new conversation's visitor (a published bot's, issue 22); null or absent: the owner's own. */
  visitorId?: string | null;
  /**
   * The user message to insert, or null when answering an existing one again. `parentId`: the
   * message it follows (null or absent: the first of the conversation, or a new version of the first).
   */
  userMessage: { id: string; content: string; parentId?: string | null } | null;
  /**
   * Messages to delete in the same statement. Unused since answers keep their versions (decision
   * 0009): regenerating adds a sibling. Kept for the statement's callers that clear old turns.
   */
  deleteMessageIds: string[];
  /** `parentId`: the question it answers (absent: the new user message). Becomes the active leaf. */
  assistant: { id: string; model: string; parentId?: string | null };
  now: Date;
}

/** A message of a path, as the history window and the branch checks need it. */
export type PathMessage = HistoryMessage & { id: string; status: string; parentId: string | null };

/** A conversation found by a search, with where its text matched (null: the title matched). */
export interface ConversationSearchRow extends ConversationRow {
  match: { snippet: string; atStart: boolean; atEnd: boolean } | null;
}

/** Characters of message text shown around a search match. */
const SNIPPET_BEFORE = 40;
const SNIPPET_LENGTH = 140;

/** `text` as a literal ILIKE pattern (its `%`, `_` and `\` match themselves), anywhere in the value. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (mark) => `\\${mark}`)}%`;
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
    // The owner's own chat only: a published bot's visitor conversations are in its inbox (issue 22).
    const owner = and(
      eq(conversations.chatbotId, chatbotId),
      eq(conversations.userId, userId),
      isNull(conversations.visitorId),
    );
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

  /**
   * Conversations whose title or any message contains `query` (case-insensitive), newest first, with
   * the same cursor as `listPage`. The snippet is cut in SQL, so a long message never leaves the database.
   */
  async searchPage(
    userId: string,
    chatbotId: string,
    query: string,
    limit: number,
    cursor: { updatedAt: Date; id: string } | null,
  ): Promise<ConversationSearchRow[]> {
    const pattern = containsPattern(query);
    // The owner's own chat only: a published bot's visitor conversations are in its inbox (issue 22).
    const owner = and(
      eq(conversations.chatbotId, chatbotId),
      eq(conversations.userId, userId),
      isNull(conversations.visitorId),
    );
    const inMessages = exists(
      this.db
        .select({ one: sql`1` })
        .from(messages)
        .where(and(eq(messages.conversationId, conversations.id), ilike(messages.content, pattern))),
    );
    const matches = or(ilike(conversations.title, pattern), inMessages);
    const after = cursor
      ? or(
          lt(conversations.updatedAt, cursor.updatedAt),
          and(eq(conversations.updatedAt, cursor.updatedAt), lt(conversations.id, cursor.id)),
        )
      : undefined;
    // The first matching message: where the match starts, and the text around it. (The outer row is
    // named in full: drizzle writes a single-table query's columns unqualified.)
    const firstMatch = sql<string | null>`(
      select json_build_object(
        'position', strpos(lower(m.content), lower(${query})),
        'length', length(m.content),
        'snippet', substring(m.content from greatest(1, strpos(lower(m.content), lower(${query})) - ${SNIPPET_BEFORE}) for ${SNIPPET_LENGTH})
      )::text
      from ${messages} m
      where m.conversation_id = "conversations"."id" and m.content ilike ${pattern}
      order by m.created_at, m.id
      limit 1)`;
    const rows = await this.db
      .select({ conversation: conversations, firstMatch })
      .from(conversations)
      .where(and(owner, matches, after))
      .orderBy(desc(conversations.updatedAt), desc(conversations.id))
      .limit(limit);
    return rows.map(({ conversation, firstMatch: raw }) => ({
      ...conversation,
      match: toMatch(raw),
    }));
  }

  /** Sets the title; null when the conversation is not the caller's. Activity order is unchanged. */
  async renameOwned(userId: string, conversationId: string, title: string): Promise<ConversationRow | null> {
    const rows = await this.db
      .update(conversations)
      .set({ title })
      .where(and(eq(conversations.id, conversationId), eq(conversations.userId, userId)))
      .returning();
    return rows[0] ?? null;
  }

  /** All messages, oldest first (the conversation must already be known to be the caller's). */
  async messagesOf(conversationId: string): Promise<MessageRow[]> {
    return this.db
      .select()
      .from(messages)
      .where(eq(messages.conversationId, conversationId))
      .orderBy(messages.createdAt, messages.id);
  }

  /**
   * The branch that ends at `leafId`, root first, at most its last HISTORY_READ_LIMIT messages: what
   * the model is sent (decision 0009). `leafId` undefined: the conversation's active leaf (or, with
   * none recorded, its newest leaf); null: the empty path (a new version of the first message).
   */
  async path(conversationId: string, leafId?: string | null): Promise<PathMessage[]> {
    if (leafId === null) return [];
    const rows = await queryRows<PathMessage & { parent_id: string | null }>(this.db, PATH, [
      conversationId,
      leafId ?? null,
      HISTORY_READ_LIMIT,
    ]);
    return rows.map(({ parent_id, ...row }) => ({ ...row, parentId: parent_id }));
  }

  /**
   * Makes `messageId` the conversation's active leaf if it is still `expected` (compare and set: a
   * turn that began since moved it to its answer, and wins). False when it had moved. Activity
   * order is unchanged.
   */
  async setActive(conversationId: string, expected: string | null, messageId: string): Promise<boolean> {
    const updated = await this.db
      .update(conversations)
      .set({ activeMessageId: messageId })
      .where(
        and(
          eq(conversations.id, conversationId),
          expected === null
            ? isNull(conversations.activeMessageId)
            : eq(conversations.activeMessageId, expected),
        ),
      )
      .returning({ id: conversations.id });
    return updated.length > 0;
  }

  async deleteOwned(userId: string, conversationId: string): Promise<boolean> {
    const deleted = await this.db
      .delete(conversations)
      .where(and(eq(conversations.id, conversationId), eq(conversations.userId, userId)))
      .returning({ id: conversations.id });
    return deleted.length > 0;
  }

  /**
   * Writes the start of turns: per turn the conversation (new, or touched), the user message and the
   * assistant message in status `streaming`, as ONE statement (data-modifying CTEs) for the whole
   * batch: atomic like a transaction, one round trip on the first-token path, and PGlite's single
   * connection is held for one statement only. A bad row (a chatbot deleted meanwhile: 23503; a
   * conversation that already has an answer streaming: 23505, the `messages_one_streaming_idx`
   * index) fails the batch; the caller writes such a batch again turn by turn, so only that turn fails.
   */
  async insertTurns(turns: readonly TurnRows[]): Promise<void> {
    const deletions = turns.flatMap((turn) =>
      turn.deleteMessageIds.map((messageId) => ({ conversationId: turn.conversationId, messageId })),
    );
    await runPrepared(this.db, INSERT_TURNS, [
      turns.map((turn) => turn.conversationId),
      turns.map((turn) => turn.chatbotId),
      turns.map((turn) => turn.userId),
      turns.map((turn) => turn.newConversationTitle),
      turns.map((turn) => turn.now.toISOString()),
      turns.map((turn) => turn.userMessage?.id ?? null),
      turns.map((turn) => turn.userMessage?.content ?? null),
      turns.map((turn) => turn.assistant.id),
      turns.map((turn) => turn.assistant.model),
      // One millisecond later, so "oldest first" never puts the answer before its question.
      turns.map((turn) => new Date(turn.now.getTime() + 1).toISOString()),
      deletions.map((deletion) => deletion.conversationId),
      deletions.map((deletion) => deletion.messageId),
      turns.map((turn) => turn.userMessage?.parentId ?? null),
      turns.map((turn) => turn.assistant.parentId ?? turn.userMessage?.id ?? null),
      turns.map((turn) => turn.visitorId ?? null),
    ]);
  }
}

/**
 * Every variant of a turn start in one text, so it is prepared once: a title means a new
 * conversation (else the existing one is touched), a null user message means a regenerated answer,
 * and the deletions ($11, $12: conversation and message, pairwise) remove messages — never one
 * still streaming. $13/$14 are the parents of the user message and of the answer (decision 0009);
 * $15 a new conversation's visitor (issue 22);
 * the answer becomes the conversation's active leaf. A second turn while one streams collides on the
 * one-streaming index, whichever branch it is on.
 */
const INSERT_TURNS: PreparedStatement = {
  name: 'conversation_insert_turns',
  text: `
    with turn as (
      select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[],
                           $7::text[], $8::text[], $9::text[], $10::timestamptz[], $13::text[], $14::text[],
                           $15::text[])
        as t(conversation_id, chatbot_id, user_id, title, at, user_message_id, user_content,
             assistant_id, model, answer_at, user_parent_id, assistant_parent_id, visitor_id)),
    created as (
      insert into conversations (id, chatbot_id, user_id, title, active_message_id, visitor_id, created_at, updated_at)
      select conversation_id, chatbot_id, user_id, title, assistant_id, visitor_id, at, at from turn where title is not null),
    touched as (
      update conversations c set updated_at = turn.at, active_message_id = turn.assistant_id
      from turn where c.id = turn.conversation_id and turn.title is null),
    removed as (
      delete from messages m
      using unnest($11::text[], $12::text[]) as d(conversation_id, id)
      where m.conversation_id = d.conversation_id and m.id = d.id and m.status <> 'streaming')
    insert into messages (id, conversation_id, parent_id, role, content, status, model, created_at, updated_at)
    select user_message_id, conversation_id, user_parent_id, 'user', user_content, 'complete', null, at, at
    from turn where user_message_id is not null
    union all
    select assistant_id, conversation_id, assistant_parent_id, 'assistant', '', 'streaming', model,
           answer_at, answer_at
    from turn`,
};

/**
 * A branch, from its leaf up to the root through parent_id ($2, else the active leaf, else the
 * newest leaf), newest $3 messages at most, returned root first. Every step stays inside the
 * conversation ($1), so a leaf of another conversation finds nothing.
 */
const PATH = `
  with recursive leaf as (
    select coalesce($2::text, c.active_message_id,
                    (select m.id from messages m where m.conversation_id = c.id
                       and not exists (select 1 from messages n where n.parent_id = m.id)
                     order by m.created_at desc, m.id desc limit 1)) as id
    from conversations c where c.id = $1),
  path as (
    select m.id, m.parent_id, m.role, m.content, m.status, 1 as depth
    from messages m join leaf on m.id = leaf.id where m.conversation_id = $1
    union all
    select m.id, m.parent_id, m.role, m.content, m.status, path.depth + 1
    from messages m join path on m.id = path.parent_id
    where m.conversation_id = $1 and path.depth < $3)
  select id, parent_id, role, content, status from path order by depth desc`;

/** Rows of a read-only statement, on either driver (both answer `{ rows }`). */
async function queryRows<Row>(db: Db, text: string, values: unknown[]): Promise<Row[]> {
  const client = db.$client;
  const result: { rows: unknown[] } =
    client instanceof pg.Pool ? await client.query(text, values) : await client.query(text, values);
  return result.rows as Row[];
}

function toMatch(raw: string | null): ConversationSearchRow['match'] {
  if (!raw) return null;
  const parsed = JSON.parse(raw) as { position: number; length: number; snippet: string };
  // `position` is 1-based; 0 when lower() and ILIKE disagree on a character (then: from the start).
  const start = Math.max(1, parsed.position - SNIPPET_BEFORE);
  const atStart = start === 1;
  const atEnd = start - 1 + SNIPPET_LENGTH >= parsed.length;
  let snippet = parsed.snippet;
  // Where the text was cut, drop the broken word.
  if (!atStart) snippet = snippet.replace(/^\S*\s/, '');
  if (!atEnd) snippet = snippet.replace(/\s\S*$/, '');
  return { snippet: snippet.replace(/\s+/g, ' ').trim(), atStart, atEnd };
}
