import type { ChatMetaEvent } from '@app/common';
import type { ChatStreamEvent, LlmClient, LlmResponseInfo } from '../../llm/client.js';
import { LlmError } from '../../llm/llm-errors.js';
import type { LiveTurn } from './live-turn.js';
import type { TurnPlan } from './turn-plan.js';
import type { UpstreamProgress } from './turn-recorder.js';

export type StreamStep = ChatStreamEvent | undefined;
/** The commit timer fired before the first output. */
export const COMMIT = Symbol('commit');

/** The upstream call once begun: its events, and the first one with output (or its end). */
export interface UpstreamCall {
  iterator: AsyncIterator<ChatStreamEvent>;
  firstOutput: Promise<StreamStep>;
}

/** Sends the turn's messages upstream (aborted with the turn), noting how far it got in `progress`. */
export function callUpstream(
  llm: LlmClient,
  plan: TurnPlan,
  meta: ChatMetaEvent,
  turn: LiveTurn,
  info: LlmResponseInfo,
  progress: UpstreamProgress,
): UpstreamCall {
  progress.sent = true;
  const stream = llm.chatStream(plan.llmMessages, {
    model: plan.chatbot.model,
    temperature: plan.chatbot.temperature,
    maxTokens: plan.chatbot.maxTokens,
    ...(plan.chatbot.reasoningEffort ? { reasoningEffort: plan.chatbot.reasoningEffort } : {}),
    signal: turn.controller.signal,
    endUserId: plan.userId,
    metadata: {
      chatbot_id: plan.chatbot.id,
      conversation_id: plan.conversationId,
      message_id: meta.assistantMessageId,
    },
  });
  const iterator = stream[Symbol.asyncIterator]();
  return { iterator, firstOutput: nextOutput(iterator, info, progress) };
}

/** The first event with output (delta) or an end, recording `start` info on the way. Never throws. */
async function nextOutput(
  iterator: AsyncIterator<ChatStreamEvent>,
  info: LlmResponseInfo,
  progress: UpstreamProgress,
): Promise<StreamStep> {
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return undefined;
      if (next.value.type !== 'start') return next.value;
      progress.started = true;
      Object.assign(info, pickInfo(next.value));
    }
  } catch (error) {
    return connectionFailed(error);
  }
}

/** The stream broke (not an upstream error event): the turn ends `error`/`upstream`. */
export function connectionFailed(error: unknown): ChatStreamEvent {
  return {
    type: 'error',
    error: new LlmError('upstream', 'The model connection failed.', { cause: error }),
  };
}

export function pickInfo(event: LlmResponseInfo): LlmResponseInfo {
  return {
    model: event.model,
    modelGroup: event.modelGroup,
    attemptedFallbacks: event.attemptedFallbacks,
    requestId: event.requestId,
  };
}

/** The first output, or COMMIT when it takes longer than `afterMs` (null: wait for it). */
export async function withCommitTimer(
  first: Promise<StreamStep>,
  afterMs: number | null,
): Promise<StreamStep | typeof COMMIT> {
  if (afterMs === null) return first;
  let timer: NodeJS.Timeout | undefined;
  const commit = new Promise<typeof COMMIT>((resolve) => {
    timer = setTimeout(() => resolve(COMMIT), afterMs);
  });
  try {
    return await Promise.race([first, commit]);
  } finally {
    clearTimeout(timer);
  }
}
