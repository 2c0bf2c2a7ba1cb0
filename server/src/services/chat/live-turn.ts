import type { ChatMetaEvent } from '@app/common';
import { LiveRun, type RunEnd } from '../runs/live-run.js';
import type { TurnOutcome } from './chat-types.js';

/** Why a turn was cut short by us (not by the upstream). */
export type AbortReason = 'stopped' | 'interrupted' | 'timeout' | 'too_long';

/**
 * One answer being streamed by this process: its run (the text so far and its viewers, see
 * services/runs) and the controller that aborts its upstream call.
 */
export class LiveTurn {
  readonly controller = new AbortController();
  readonly run: LiveRun;
  abortReason: AbortReason | null = null;
  /** New text since the last flush. */
  dirty = false;
  /** Resolves once the final state is written (or failed to be). */
  readonly settled: Promise<void>;
  settle!: () => void;

  constructor(meta: ChatMetaEvent, userId: string) {
    this.run = new LiveRun(meta, userId);
    this.settled = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  get assistantMessageId(): string {
    return this.run.assistantMessageId;
  }

  get conversationId(): string {
    return this.run.conversationId;
  }

  get userId(): string {
    return this.run.userId;
  }

  get length(): number {
    return this.run.seq;
  }

  /** Appends to the run: its followers get the delta at once. */
  append(text: string): void {
    this.run.append(text);
    this.dirty = true;
  }

  /** The text so far. */
  text(): string {
    return this.run.text();
  }

  /** Aborts the upstream call at once; the first reason wins. */
  abort(reason: AbortReason): void {
    this.abortReason ??= reason;
    this.controller.abort();
  }
}

/** The run's last event for a turn's outcome (`done` only when complete). */
export function runEndOf(outcome: TurnOutcome): RunEnd {
  const seq = outcome.content.length;
  if (outcome.status === 'complete') {
    return {
      event: 'done',
      data: {
        assistantMessageId: outcome.meta.assistantMessageId,
        finishReason: outcome.finishReason,
        usage: outcome.usage,
        ...(outcome.costUsd !== null ? { costUsd: outcome.costUsd } : {}),
        ...(outcome.answeredBy !== null ? { answeredBy: outcome.answeredBy } : {}),
        ...(outcome.fallback ? { fallback: true as const } : {}),
        seq,
      },
    };
  }
  const error = outcome.error ?? { code: 'internal', message: 'Something went wrong on our side.' };
  return { event: 'error', data: { code: error.code, message: error.message, seq } };
}

/** The end told when finishing a turn failed unexpectedly (a bug): what arrived is kept. */
export function internalEnd(seq: number): RunEnd {
  return { event: 'error', data: { code: 'internal', message: 'Something went wrong on our side.', seq } };
}
