import { and, eq, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../database.js';
import { runPrepared, type PreparedStatement } from '../prepared.js';
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
  /** The ledger row, or null when the call never reached the upstream (nothing to charge). */
  usage: {
    id: string;
    userId: string;
    chatbotId: string;
    model: string;
    promptTokens: number;
    completionTokens: number;
    /** The cost budgets counted: the upstream's, else catalog price × tokens (`costEstimated`). */
    costUsd: number;
    costEstimated: boolean;
    /** Tokens counted by us (the upstream reported none: a stopped or cut answer). */
    tokensEstimated: boolean;
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
      await runPrepared(this.db, FLUSH_PARTIALS, [
        batch.map((partial) => partial.id),
        batch.map((partial) => partial.content),
      ]);
    }
  }

  /** "Still alive" for answers waiting on the upstream: recovery judges liveness by updated_at. */
  async touch(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await runPrepared(this.db, TOUCH, [ids]);
  }

  /**
   * The final state of answers, with their usage records and their conversations' activity time, in
   * one statement (data-modifying CTEs): atomic, one round trip and one commit for the whole batch.
   */
  async finish(turns: readonly FinishedTurn[]): Promise<void> {
    if (turns.length === 0) return;
    const ledger = turns.flatMap((turn) => (turn.usage ? [turn.usage] : []));
    await runPrepared(this.db, FINISH, [
      turns.map((turn) => turn.messageId),
      turns.map((turn) => turn.conversationId),
      turns.map((turn) => turn.content),
      turns.map((turn) => turn.status),
      turns.map((turn) => turn.errorCode),
      turns.map((turn) => turn.finishReason),
      turns.map((turn) => turn.answeredBy),
      turns.map((turn) => turn.modelGroup),
      turns.map((turn) => turn.attemptedFallbacks),
      turns.map((turn) => turn.upstreamRequestId),
      turns.map((turn) => turn.promptTokens),
      turns.map((turn) => turn.completionTokens),
      turns.map((turn) => turn.costUsd),
      turns.map((turn) => turn.latencyMs),
      turns.map((turn) => turn.ttftMs),
      // Millisecond precision (JS clock), so list cursors, which carry milliseconds, stay exact.
      new Date().toISOString(),
      ledger.map((row) => row.id),
      ledger.map((row) => row.userId),
      ledger.map((row) => row.chatbotId),
      ledger.map((row) => row.model),
      ledger.map((row) => row.promptTokens),
      ledger.map((row) => row.completionTokens),
      ledger.map((row) => row.costUsd),
      ledger.map((row) => row.costEstimated),
      ledger.map((row) => row.tokensEstimated),
    ]);
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
        parentId: messages.parentId,
      })
      .from(messages)
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      .where(and(eq(messages.id, messageId), eq(conversations.userId, userId)))
      .limit(1);
    return rows[0] ?? null;
  }
}

// Batches travel as arrays (one element per row, null elements for SQL nulls), so each text below is
// the same for any batch size and is prepared once per connection. Numbers go over as their shortest
// round-trip decimal text: a double precision keeps every bit.

const FLUSH_PARTIALS: PreparedStatement = {
  name: 'message_flush_partials',
  text: `
    update messages m set content = v.content, updated_at = now()
    from unnest($1::text[], $2::text[]) as v(id, content)
    where m.id = v.id and m.status = 'streaming'`,
};

const TOUCH: PreparedStatement = {
  name: 'message_touch',
  text: `update messages set updated_at = now() where id = any($1::text[]) and status = 'streaming'`,
};

/** An empty usage batch ($17–$25) inserts nothing: turns that never reached the upstream have no ledger row. */
const FINISH: PreparedStatement = {
  name: 'message_finish',
  text: `
    with input as (
      select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                           $8::text[], $9::integer[], $10::text[], $11::integer[], $12::integer[],
                           $13::double precision[], $14::integer[], $15::integer[])
        as i(id, conversation_id, content, status, error_code, finish_reason, answered_by, model_group,
             attempted_fallbacks, upstream_request_id, prompt_tokens, completion_tokens, cost_usd,
             latency_ms, ttft_ms)),
    answer as (
      update messages m set
        content = i.content, status = i.status, error_code = i.error_code, finish_reason = i.finish_reason,
        answered_by = i.answered_by, model_group = i.model_group, attempted_fallbacks = i.attempted_fallbacks,
        upstream_request_id = i.upstream_request_id, prompt_tokens = i.prompt_tokens,
        completion_tokens = i.completion_tokens, cost_usd = i.cost_usd, latency_ms = i.latency_ms,
        ttft_ms = i.ttft_ms, updated_at = now()
      from input i where m.id = i.id),
    activity as (
      update conversations c set updated_at = $16::timestamptz
      from (select distinct conversation_id from input) i where c.id = i.conversation_id)
    insert into usage_records (id, user_id, chatbot_id, kind, model, prompt_tokens, completion_tokens, cost_usd,
                               cost_estimated, tokens_estimated)
    select u.id, u.user_id, u.chatbot_id, 'chat', u.model, u.prompt_tokens, u.completion_tokens, u.cost_usd,
           u.cost_estimated, u.tokens_estimated
    from unnest($17::text[], $18::text[], $19::text[], $20::text[], $21::integer[], $22::integer[],
                $23::double precision[], $24::boolean[], $25::boolean[])
      as u(id, user_id, chatbot_id, model, prompt_tokens, completion_tokens, cost_usd, cost_estimated,
           tokens_estimated)`,
};
