import { and, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../database.js';
import { conversations, messages } from '../schema.js';

export type FinalStatus = 'complete' | 'stopped' | 'error' | 'interrupted';

/** Everything known when a turn ends; written with its usage record in one short transaction. */
export interface FinishedTurn {
  messageId: string;
  conversationId: string;
  content: string;
  status: FinalStatus;
  errorCode: string | null;
  finishReason: string | null;
  answeredBy: string | null;
  modelGroup: string | null;
  attemptedFallbacks: number | null;
  upstreamRequestId: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  costUsd: number | null;
  latencyMs: number;
  ttftMs: number | null;
  /** The ledger row, or null when the upstream produced nothing billable. */
  usage: {
    id: string;
    userId: string;
    chatbotId: string;
    model: string;
    promptTokens: number;
    completionTokens: number;
    costUsd: number;
  } | null;
}

/** Rows per flush statement: bounds the statement size when thousands of answers stream at once. */
const FLUSH_BATCH = 100;

/** Assistant-message writes of the streaming path. Timestamps come from the DB clock (`now()`). */
export class MessageRepository {
  constructor(private readonly db: Db) {}

  /**
   * Saves partial answers: one UPDATE for a whole batch. Only rows still `streaming` are touched, so
   * a late flush can never overwrite a final answer.
   */
  async flushPartials(partials: ReadonlyArray<{ id: string; content: string }>): Promise<void> {
    for (let start = 0; start < partials.length; start += FLUSH_BATCH) {
      const batch = partials.slice(start, start + FLUSH_BATCH);
      const values = sql.join(
        batch.map((partial) => sql`(${partial.id}::text, ${partial.content}::text)`),
        sql`, `,
      );
      await this.db.execute(sql`
        update ${messages} as m set content = v.content, updated_at = now()
        from (values ${values}) as v(id, content)
        where m.id = v.id and m.status = 'streaming'`);
    }
  }

  /** "Still alive" for answers waiting on the upstream: recovery judges liveness by updated_at. */
  async touch(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .update(messages)
      .set({ updatedAt: sql`now()` })
      .where(and(inArray(messages.id, [...ids]), eq(messages.status, 'streaming')));
  }

  /**
   * The final state of answers, with their usage records and their conversations' activity time, in
   * one statement (data-modifying CTEs): atomic, one round trip and one commit for the whole batch.
   */
  async finish(turns: readonly FinishedTurn[]): Promise<void> {
    if (turns.length === 0) return;
    const answers = sql.join(
      turns.map(
        (turn) => sql`(${turn.messageId}::text, ${turn.conversationId}::text, ${turn.content}::text,
          ${turn.status}::text, ${turn.errorCode}::text, ${turn.finishReason}::text, ${turn.answeredBy}::text,
          ${turn.modelGroup}::text, ${turn.attemptedFallbacks}::integer, ${turn.upstreamRequestId}::text,
          ${turn.promptTokens}::integer, ${turn.completionTokens}::integer, ${turn.costUsd}::double precision,
          ${turn.latencyMs}::integer, ${turn.ttftMs}::integer)`,
      ),
      sql`, `,
    );
    const ledger = turns.flatMap((turn) => (turn.usage ? [turn.usage] : []));
    const usage =
      ledger.length > 0
        ? sql`insert into usage_records (id, user_id, chatbot_id, kind, model, prompt_tokens, completion_tokens, cost_usd)
            values ${sql.join(
              ledger.map(
                (row) => sql`(${row.id}, ${row.userId}, ${row.chatbotId}, 'chat', ${row.model},
                  ${row.promptTokens}, ${row.completionTokens}, ${row.costUsd})`,
              ),
              sql`, `,
            )}`
        : sql`select 1`;
    await this.db.execute(sql`
      with input (id, conversation_id, content, status, error_code, finish_reason, answered_by, model_group,
                  attempted_fallbacks, upstream_request_id, prompt_tokens, completion_tokens, cost_usd,
                  latency_ms, ttft_ms) as (values ${answers}),
      answer as (
        update messages m set
          content = i.content, status = i.status, error_code = i.error_code, finish_reason = i.finish_reason,
          answered_by = i.answered_by, model_group = i.model_group, attempted_fallbacks = i.attempted_fallbacks,
          upstream_request_id = i.upstream_request_id, prompt_tokens = i.prompt_tokens,
          completion_tokens = i.completion_tokens, cost_usd = i.cost_usd, latency_ms = i.latency_ms,
          ttft_ms = i.ttft_ms, updated_at = now()
        from input i where m.id = i.id),
      activity as (
        -- Millisecond precision (JS clock), so list cursors, which carry milliseconds, stay exact.
        update conversations c set updated_at = ${new Date().toISOString()}::timestamptz
        from (select distinct conversation_id from input) i where c.id = i.conversation_id)
      ${usage}`);
  }

  /**
   * Marks answers left `streaming` by a dead writer as `interrupted`: only those whose last flush is
   * older than `staleAfterMs` (a live writer, in any instance, bumps updated_at every flush).
   */
  async markStaleInterrupted(staleAfterMs: number, exceptIds: readonly string[]): Promise<number> {
    const stale = and(
      eq(messages.status, 'streaming'),
      sql`${messages.updatedAt} < now() - (${staleAfterMs}::double precision * interval '1 millisecond')`,
      exceptIds.length > 0 ? notInArray(messages.id, [...exceptIds]) : undefined,
    );
    const updated = await this.db
      .update(messages)
      .set({ status: 'interrupted', errorCode: 'interrupted', updatedAt: sql`now()` })
      .where(stale)
      .returning({ id: messages.id });
    return updated.length;
  }

  /** The message if it belongs to one of the user's conversations. */
  async findOwned(userId: string, messageId: string) {
    const rows = await this.db
      .select({
        id: messages.id,
        role: messages.role,
        status: messages.status,
        conversationId: messages.conversationId,
      })
      .from(messages)
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      .where(and(eq(messages.id, messageId), eq(conversations.userId, userId)))
      .limit(1);
    return rows[0] ?? null;
  }
}
