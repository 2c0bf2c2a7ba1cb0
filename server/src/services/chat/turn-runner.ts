import { randomUUID } from 'node:crypto';
import type { ChatMetaEvent } from '@app/common';
import type { ChatStreamEvent, LlmClient, LlmResponseInfo } from '../../llm/client.js';
import { AppError } from '../../errors.js';
import type { TurnRows } from '../../db/repositories/conversation-repository.js';
import type { FinishedTurn } from '../../db/repositories/message-repository.js';
import { announceTurn } from '../runs/turn-announcement.js';
import { RunFollower } from '../runs/run-follower.js';
import type { RunHub } from '../runs/run-hub.js';
import { internalEnd, LiveTurn, runEndOf } from './live-turn.js';
import type { StreamRegistry } from './stream-registry.js';
import type { CallAdmission, ChatLogger, TurnOptions, TurnOutcome, TurnSink } from './chat-types.js';
import { recordTurn, type TurnFacts, type UpstreamProgress } from './turn-recorder.js';
import { abortOutcome, toAppError } from './turn-outcomes.js';
import type { TurnPlan } from './turn-plan.js';
import {
  callUpstream,
  COMMIT,
  connectionFailed,
  pickInfo,
  withCommitTimer,
  type StreamStep,
  type UpstreamCall,
} from './upstream-call.js';
import type { WriteBatcher } from './write-batcher.js';

export type { TurnPlan } from './turn-plan.js';

export interface TurnRunnerDeps {
  llm: LlmClient;
  /** Writes the start of turns, batched (group commit). */
  starts: Pick<WriteBatcher<TurnRows>, 'add'>;
  /** Writes the end of turns, batched (group commit). */
  ends: Pick<WriteBatcher<FinishedTurn>, 'add'>;
  registry: StreamRegistry;
  /** Where the run's events go: the caller, live viewers, other instances. */
  runs: RunHub;
  logger: ChatLogger;
  commitAfterMs: number;
  maxTurnMs: number;
  maxAnswerChars: number;
}

/**
 * Runs one turn: writes its start (the assistant row `streaming`) and calls the upstream, releases
 * output once both succeeded, relays deltas (no DB write, log line or copy per token), and records
 * the end. In a new conversation the two go together (the first token never waits for the database);
 * in an existing one the write comes first, because it is what claims the conversation (one answer
 * streaming per conversation, a unique index): a turn that loses the claim sends nothing upstream.
 */
export class TurnRunner {
  constructor(private readonly deps: TurnRunnerDeps) {}

  async run(
    plan: TurnPlan,
    sink: TurnSink,
    options: TurnOptions,
    billing: Pick<CallAdmission, 'charge' | 'settle'>,
  ): Promise<TurnOutcome> {
    const { deps } = this;
    if (options.signal?.aborted) throw new AppError('aborted', 'The request was cancelled');
    const meta: ChatMetaEvent = {
      conversationId: plan.conversationId,
      userMessageId: plan.userMessageId,
      assistantMessageId: randomUUID(),
    };
    const turn = new LiveTurn(meta, plan.userId);
    // Only a JSON caller passes a signal: a streamed caller that leaves just stops viewing.
    const onCallerGone = () => turn.abort('stopped');
    options.signal?.addEventListener('abort', onCallerGone, { once: true });
    const startedAt = performance.now();
    const info: LlmResponseInfo = {
      model: null,
      modelGroup: null,
      attemptedFallbacks: null,
      requestId: null,
    };

    const progress: UpstreamProgress = { sent: false, started: false };
    const startUpstream = () => callUpstream(deps.llm, plan, meta, turn, info, progress);
    const claimFirst = plan.newConversationTitle === null;
    let upstream: UpstreamCall | null = claimFirst ? null : startUpstream();
    const now = new Date();
    const writeError = await this.writeStart(plan, meta, now);
    if (writeError !== null) {
      options.signal?.removeEventListener('abort', onCallerGone);
      turn.controller.abort();
      const started = upstream;
      if (started) void started.firstOutput.then(() => started.iterator.return?.());
      throw writeError;
    }
    deps.registry.add(turn);
    // Saved: the run is live from here on, for every viewer of the conversation.
    deps.runs.begin(
      turn.run,
      announceTurn({
        conversationId: plan.conversationId,
        userMessage: plan.userMessage,
        assistant: { id: meta.assistantMessageId, model: plan.chatbot.model, parentId: plan.userMessageId },
        removedMessageIds: [],
        at: now,
      }),
    );
    // Claimed: now the upstream, unless the caller left (or shutdown began) meanwhile.
    if (claimFirst && !turn.controller.signal.aborted) upstream = startUpstream();
    const deadline = setTimeout(() => turn.abort('timeout'), deps.maxTurnMs);
    const facts: TurnFacts = {
      plan,
      meta,
      turn,
      info,
      startedAt,
      ttftMs: null,
      progress,
      billing,
      terminal: undefined,
    };
    try {
      if (upstream === null) {
        // Nothing was sent: the row is closed (`stopped` / `interrupted`) and nothing is charged.
        const outcome = await this.finish(facts);
        throw toAppError(outcome, undefined);
      }
      const { iterator, firstOutput } = upstream;
      const commitAfterMs = options.commitAfterMs === undefined ? deps.commitAfterMs : options.commitAfterMs;
      const first = await withCommitTimer(firstOutput, commitAfterMs);
      if (first !== COMMIT && first?.type !== 'delta' && first?.type !== 'done') {
        // Failed before any output: the rows say so, the client gets an ordinary HTTP error.
        facts.terminal = first;
        const outcome = await this.finish(facts);
        throw toAppError(outcome, first?.type === 'error' ? first.error : undefined);
      }
      sink.start(meta);
      // The caller is the run's first follower; it never holds the run back.
      new RunFollower(turn.run, sink, 0);
      facts.terminal = await this.relay(facts, iterator, first === COMMIT ? await firstOutput : first);
      return await this.finish(facts);
    } finally {
      clearTimeout(deadline);
      options.signal?.removeEventListener('abort', onCallerGone);
    }
  }

  /**
   * The turn's rows (the question, the answer `streaming` and the active leaf), batched with other
   * turns' starts. Resolves with the error when the write failed (a lost claim: 23505), else null.
   */
  private writeStart(plan: TurnPlan, meta: ChatMetaEvent, now: Date): Promise<unknown> {
    return this.deps.starts
      .add({
        userId: plan.userId,
        chatbotId: plan.chatbot.id,
        conversationId: plan.conversationId,
        newConversationTitle: plan.newConversationTitle,
        visitorId: plan.visitorId ?? null,
        userMessage: plan.userMessage,
        deleteMessageIds: [],
        assistant: { id: meta.assistantMessageId, model: plan.chatbot.model, parentId: plan.userMessageId },
        now,
      })
      .then(
        () => null,
        (error: unknown) => error,
      );
  }

  /**
   * The token path: append to the run (its followers write each delta once, or catch up after a
   * full transport drained). Never waits for a viewer. Returns the terminal event.
   */
  private async relay(
    facts: TurnFacts,
    iterator: AsyncIterator<ChatStreamEvent>,
    first: StreamStep,
  ): Promise<StreamStep> {
    const { turn } = facts;
    const maxChars = this.deps.maxAnswerChars;
    let event = first;
    try {
      while (event !== undefined && event.type !== 'done' && event.type !== 'error') {
        if (event.type === 'delta') {
          facts.ttftMs ??= Math.round(performance.now() - facts.startedAt);
          // Over the limit: cut before appending, so the stored answer is what the client was sent.
          if (turn.length + event.text.length > maxChars) turn.abort('too_long');
          else turn.append(event.text);
        } else if (event.type === 'start') {
          Object.assign(facts.info, pickInfo(event));
        }
        const next = await iterator.next();
        event = next.done ? undefined : next.value;
      }
      return event;
    } catch (error) {
      return connectionFailed(error);
    }
  }

  /** Saves the end, then ends the run: every follower gets `done`/`error` after the write. */
  private async finish(facts: TurnFacts): Promise<TurnOutcome> {
    const { turn } = facts;
    this.deps.registry.remove(turn);
    let outcome: TurnOutcome | undefined;
    try {
      outcome = await recordTurn(facts, this.deps.ends, this.deps.logger, abortOutcome);
      return outcome;
    } finally {
      turn.settle();
      this.deps.runs.end(turn.run, outcome ? runEndOf(outcome) : internalEnd(turn.length));
    }
  }
}
