import { attributeAnswer } from './fallback.js';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChatErrorEvent, ChatMetaEvent } from '@app/common';
import type { ChatStreamEvent, LlmResponseInfo } from '../../llm/client.js';
import type { FinishedTurn } from '../../db/repositories/message-repository.js';
import type { WriteBatcher } from './write-batcher.js';
import type { AbortReason, LiveTurn } from './live-turn.js';
import type { TurnPlan } from './turn-plan.js';
import type { CallAdmission, ChatLogger, TurnOutcome, TurnStatus } from './chat-types.js';
import { reachedUpstream } from '../limits/call-charge.js';

/** How far the upstream call got (set by the runner as it goes). */
export interface UpstreamProgress {
  /** The request was handed to the LLM client (a turn claimed first may never get this far). */
  sent: boolean;
  /** The upstream answered 2xx: its response (the stream's `start`) arrived. */
  started: boolean;
}

/** What the runner learnt about a turn, for the final write. */
export interface TurnFacts {
  plan: TurnPlan;
  meta: ChatMetaEvent;
  turn: LiveTurn;
  info: LlmResponseInfo;
  startedAt: number;
  ttftMs: number | null;
  progress: UpstreamProgress;
  /** Decides the turn's charge (for the ledger row) and settles the budget with that same charge. */
  billing: Pick<CallAdmission, 'charge' | 'settle'>;
  /** The terminal event (`done` | `error`), or undefined when the stream ended without one. */
  terminal: ChatStreamEvent | undefined;
}

/** Final-write attempts: a DB blip must not lose an answer (recovery is the last resort). */
const RETRY_DELAYS_MS = [200, 1000];

/** What the client is told when the end of a turn could not be saved (never `done`). */
const NOT_SAVED: ChatErrorEvent = {
  code: 'service_unavailable',
  message: 'The answer could not be saved. Please reload the conversation and try again.',
};

/**
 * Decides a turn's final state and its charge, writes both (the message and its usage record) in one
 * statement, then settles the budget with the same charge. Resolves only after the write succeeded
 * or ultimately failed, so the caller's `done` is never ahead of the database; a write that failed
 * makes the outcome an error (`service_unavailable`), whatever the upstream said.
 */
export async function recordTurn(
  facts: TurnFacts,
  writer: Pick<WriteBatcher<FinishedTurn>, 'add'>,
  logger: ChatLogger,
  abortOutcome: Record<AbortReason, { status: TurnStatus; error: ChatErrorEvent }>,
): Promise<TurnOutcome> {
  const { turn, terminal, plan, info } = facts;
  const content = turn.text();
  let status: TurnStatus = 'complete';
  let error: ChatErrorEvent | null = null;
  if (terminal?.type !== 'done') {
    const aborted = turn.abortReason ? abortOutcome[turn.abortReason] : null;
    status = aborted?.status ?? 'error';
    error =
      aborted?.error ??
      (terminal?.type === 'error'
        ? { code: terminal.error.code, message: terminal.error.message }
        : { code: 'unexpected_end', message: 'The model stopped answering unexpectedly.' });
  }
  const done = terminal?.type === 'done' ? terminal : null;
  if (done) Object.assign(info, done.info);
  // Which alias answered: the info already says as far as anything tells (answer-attribution.ts).
  const attribution = attributeAnswer({
    requested: plan.chatbot.model,
    modelGroup: info.modelGroup,
    attemptedFallbacks: info.attemptedFallbacks,
  });
  // Every request that reached the upstream is charged, output or not (an abort loop is not free).
  const { progress } = facts;
  const reached =
    progress.sent &&
    (done !== null ||
      progress.started ||
      content.length > 0 ||
      terminal?.type !== 'error' ||
      reachedUpstream(terminal.error));
  // Counting tokens (when none were reported) happens here, once per turn, off the token path.
  const charge = facts.billing.charge({
    reachedUpstream: reached,
    reportedUsage: done?.usage ?? null,
    reportedCostUsd: done?.costUsd ?? null,
    prompt: plan.llmMessages,
    completion: content,
  });
  const usage = {
    promptTokens: charge?.promptTokens ?? 0,
    completionTokens: charge?.completionTokens ?? 0,
  };
  // What the upstream said it cost, when believed (an estimate is only in the ledger, flagged).
  const costUsd = charge && !charge.costEstimated ? charge.costUsd : null;

  const finished: FinishedTurn = {
    messageId: facts.meta.assistantMessageId,
    conversationId: facts.meta.conversationId,
    content,
    status,
    errorCode: error?.code ?? null,
    finishReason: done?.finishReason ?? null,
    answeredBy: info.model,
    modelGroup: attribution.modelGroup,
    attemptedFallbacks: attribution.attemptedFallbacks,
    upstreamRequestId: info.requestId,
    promptTokens: charge ? usage.promptTokens : null,
    completionTokens: charge ? usage.completionTokens : null,
    costUsd,
    latencyMs: Math.round(performance.now() - facts.startedAt),
    ttftMs: facts.ttftMs,
    usage: charge
      ? {
          id: randomUUID(),
          userId: plan.userId,
          chatbotId: plan.chatbot.id,
          model: plan.chatbot.model,
          promptTokens: charge.promptTokens,
          completionTokens: charge.completionTokens,
          costUsd: charge.costUsd,
          costEstimated: charge.costEstimated,
          tokensEstimated: charge.tokensEstimated,
        }
      : null,
  };
  const saved = await writeWithRetry(writer, finished, logger);
  // The upstream billed the call whether or not its row was saved: the counter moves either way.
  if (charge) await facts.billing.settle(charge);
  if (!saved) {
    status = 'error';
    error = NOT_SAVED;
  }
  return {
    meta: facts.meta,
    status,
    content,
    finishReason: finished.finishReason,
    usage,
    costUsd,
    answeredBy: attribution.answeredBy,
    fallback: attribution.fallback,
    error,
  };
}

/** True once written; false when every attempt failed. */
async function writeWithRetry(
  writer: Pick<WriteBatcher<FinishedTurn>, 'add'>,
  finished: FinishedTurn,
  logger: ChatLogger,
): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    try {
      await writer.add(finished);
      return true;
    } catch (error) {
      const delay = RETRY_DELAYS_MS[attempt];
      if (delay === undefined) {
        // The row stays `streaming` with its last flush; recovery marks it `interrupted` later.
        logger.error({ err: error, messageId: finished.messageId }, 'could not save the end of a chat turn');
        return false;
      }
      logger.warn(
        { err: error, messageId: finished.messageId, attempt },
        'saving a chat turn failed; retrying',
      );
      await sleep(delay);
    }
  }
}
