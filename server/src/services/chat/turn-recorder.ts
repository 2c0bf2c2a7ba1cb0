import { fallbackModel } from './fallback.js';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChatErrorEvent, ChatMetaEvent } from '@app/common';
import type { ChatStreamEvent, LlmResponseInfo } from '../../llm/client.js';
import type { FinishedTurn } from '../../db/repositories/message-repository.js';
import type { WriteBatcher } from './write-batcher.js';
import type { AbortReason, LiveTurn } from './live-turn.js';
import type { TurnPlan } from './turn-runner.js';
import type { ChatLogger, TurnOutcome, TurnStatus } from './chat-types.js';

/** What the runner learnt about a turn, for the final write. */
export interface TurnFacts {
  plan: TurnPlan;
  meta: ChatMetaEvent;
  turn: LiveTurn;
  info: LlmResponseInfo;
  startedAt: number;
  ttftMs: number | null;
  promptChars: number;
  /** The terminal event (`done` | `error`), or undefined when the stream ended without one. */
  terminal: ChatStreamEvent | undefined;
}

/** Final-write attempts: a DB blip must not lose an answer (recovery is the last resort). */
const RETRY_DELAYS_MS = [200, 1000];
/** Rough tokens per character, for usage the upstream never reported (stopped / cut streams). */
const CHARS_PER_TOKEN = 4;

/** Decides a turn's final state and writes it, with its usage record, in one transaction. */
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
  const reported = done?.usage ?? null;
  // Output was produced (or reported): the upstream billed it, so the ledger records it.
  const billable = reported !== null || content.length > 0;
  const usage = reported ?? {
    promptTokens: billable ? Math.ceil(facts.promptChars / CHARS_PER_TOKEN) : 0,
    completionTokens: Math.ceil(content.length / CHARS_PER_TOKEN),
  };
  const costUsd = done?.costUsd ?? null;

  const finished: FinishedTurn = {
    messageId: facts.meta.assistantMessageId,
    conversationId: facts.meta.conversationId,
    content,
    status,
    errorCode: error?.code ?? null,
    finishReason: done?.finishReason ?? null,
    answeredBy: info.model,
    modelGroup: info.modelGroup,
    attemptedFallbacks: info.attemptedFallbacks,
    upstreamRequestId: info.requestId,
    promptTokens: billable ? usage.promptTokens : null,
    completionTokens: billable ? usage.completionTokens : null,
    costUsd,
    latencyMs: Math.round(performance.now() - facts.startedAt),
    ttftMs: facts.ttftMs,
    usage: billable
      ? {
          id: randomUUID(),
          userId: plan.userId,
          chatbotId: plan.chatbot.id,
          model: plan.chatbot.model,
          promptTokens: usage.promptTokens,
          completionTokens: usage.completionTokens,
          costUsd: costUsd ?? 0,
        }
      : null,
  };
  await writeWithRetry(writer, finished, logger);
  return {
    meta: facts.meta,
    status,
    content,
    finishReason: finished.finishReason,
    usage,
    costUsd,
    answeredBy: fallbackModel({
      requested: plan.chatbot.model,
      modelGroup: info.modelGroup,
      attemptedFallbacks: info.attemptedFallbacks,
      responseModel: info.model,
    }),
    error,
  };
}

async function writeWithRetry(
  writer: Pick<WriteBatcher<FinishedTurn>, 'add'>,
  finished: FinishedTurn,
  logger: ChatLogger,
) {
  for (let attempt = 0; ; attempt++) {
    try {
      await writer.add(finished);
      return;
    } catch (error) {
      const delay = RETRY_DELAYS_MS[attempt];
      if (delay === undefined) {
        // The row stays `streaming` with its last flush; recovery marks it `interrupted` later.
        logger.error({ err: error, messageId: finished.messageId }, 'could not save the end of a chat turn');
        return;
      }
      logger.warn(
        { err: error, messageId: finished.messageId, attempt },
        'saving a chat turn failed; retrying',
      );
      await sleep(delay);
    }
  }
}
