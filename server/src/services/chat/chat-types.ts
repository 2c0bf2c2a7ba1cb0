import type { ChatErrorEvent, ChatMetaEvent, Usage } from '@app/common';
import type { CallCharge, FinishedCall } from '../limits/call-charge.js';
import type { RunEnd } from '../runs/live-run.js';
import type { RunHub } from '../runs/run-hub.js';

/**
 * The caller's view of its turn (the POST's SSE writer, or a collector for JSON answers): the first
 * follower of the run. A full transport never holds the run back: the follower writes what the
 * caller missed once it drained (services/runs/run-follower.ts).
 */
export interface TurnSink {
  /** The turn is saved and its answer begins: called once, before any delta. */
  start(meta: ChatMetaEvent): void;
  /** One piece of the answer, ending at `seq`. Returns false when the transport is full. */
  delta(text: string, seq: number): boolean;
  /** Resolves when the transport can take more (or is gone). */
  drained(): Promise<void>;
  /** The answer's last event, after every delta (a JSON collector needs none). */
  end?(end: RunEnd): void;
  /** True once the transport is gone: the caller detached, the run goes on. */
  readonly closed?: boolean;
}

export type TurnStatus = 'complete' | 'stopped' | 'error' | 'interrupted';

/** How a turn ended (after `start`). Failures before `start` are thrown as AppError instead. */
export interface TurnOutcome {
  meta: ChatMetaEvent;
  status: TurnStatus;
  content: string;
  finishReason: string | null;
  usage: Usage;
  costUsd: number | null;
  answeredBy: string | null;
  /** A fallback answered this, or part of it (mid-stream); `answeredBy` names it when known. */
  fallback?: boolean;
  error: ChatErrorEvent | null;
}

export interface TurnOptions {
  /**
   * Aborting it ends the turn `stopped` (the JSON mode's client went away). A streamed turn passes
   * none: its caller leaving only detaches a viewer, and only Stop stops the run.
   */
  signal?: AbortSignal;
  /**
   * Start the stream (meta, heartbeats) when the upstream has produced nothing after this long, so a
   * slow first token does not leave the client without a response. null waits for the first output.
   */
  commitAfterMs?: number | null;
  /**
   * This turn's admission instead of ChatServiceOptions.admit: a published bot's visitor turn adds
   * the bot's caps to the owner's plan limits (services/publishing).
   */
  admit?: (call: CallRequest) => Promise<CallAdmission>;
  /**
   * The turn is a published bot's visitor's (services/publishing): a new conversation is created
   * as theirs (`conversations.visitor_id`), and an existing one must be theirs (else 404).
   */
  visitorId?: string;
}

/** The subset of a pino logger the chat path uses (no Fastify import in services). */
export interface ChatLogger {
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

/** One LLM call as the plan limits see it. */
export interface CallRequest {
  userId: string;
  model: string;
  /** The user's own input (the new message), checked against the plan's maxInputChars. */
  inputChars: number;
  /** Everything sent upstream, for the budget estimate. */
  promptChars: number;
  maxTokens: number;
}

/**
 * A call the limits let through. When it ends: `charge` decides what it costs (null: it never reached
 * the upstream), that same charge goes into the ledger row and into `settle`; `release` frees the
 * stream and drops the hold of a call that was not settled (both idempotent).
 */
export interface CallAdmission {
  readonly maxTokens: number;
  charge(call: FinishedCall): CallCharge | null;
  settle(charge: CallCharge): Promise<void>;
  release(): Promise<void>;
}

export interface ChatServiceOptions {
  /** Character budget of system prompt + history + new message (CHAT_HISTORY_MAX_CHARS). */
  historyMaxChars: number;
  /** Throws AppError('model_not_allowed') when the user's plan does not allow the model. */
  assertModelAllowed: (userId: string, model: string) => Promise<void>;
  /**
   * Plan limits (input size, streams, budget): throws 413/429/503 before anything is written or
   * sent. Default: everything admitted.
   */
  admit?: (call: CallRequest) => Promise<CallAdmission>;
  /**
   * Asks the other instances to stop an answer this one does not hold (Redis pub/sub when several
   * instances share the database). Absent: Stop reaches only this instance's answers.
   */
  broadcastStop?: (messageId: string) => Promise<void>;
  /** Where runs are followed (live streams, other instances). Default: a hub of this instance only. */
  runs?: RunHub;
  /** Partial answers are saved this often. Default 1000 ms. */
  flushIntervalMs?: number;
  /** Default for TurnOptions.commitAfterMs. Default 1500 ms. */
  commitAfterMs?: number;
  /** Hard bound of one turn (an endless upstream ends `error`/`timeout`). Default 10 min. */
  maxTurnMs?: number;
  /** Hard bound of one answer's size in characters. Default 1,000,000. */
  maxAnswerChars?: number;
  logger?: ChatLogger;
}
