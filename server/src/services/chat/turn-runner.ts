import { randomUUID } from 'node:crypto';
import type { ChatErrorEvent, ChatMetaEvent, ReasoningEffort } from '@app/common';
import type { ChatStreamEvent, LlmClient, LlmMessage, LlmResponseInfo } from '../../llm/client.js';
import { LlmError } from '../../llm/llm-errors.js';
import { AppError } from '../../errors.js';
import type { TurnRows } from '../../db/repositories/conversation-repository.js';
import type { FinishedTurn } from '../../db/repositories/message-repository.js';
import { announceTurn } from '../runs/turn-announcement.js';
import { RunFollower } from '../runs/run-follower.js';
import type { RunHub } from '../runs/run-hub.js';
import { internalEnd, LiveTurn, runEndOf, type AbortReason } from './live-turn.js';
import type { StreamRegistry } from './stream-registry.js';
import type {
  CallAdmission,
  ChatLogger,
  TurnOptions,
  TurnOutcome,
  TurnSink,
  TurnStatus,
} from './chat-types.js';
import { recordTurn, type TurnFacts, type UpstreamProgress } from './turn-recorder.js';
import type { WriteBatcher } from './write-batcher.js';

/** Everything a turn needs, prepared (and authorised) by ChatService. */
export interface TurnPlan {
  userId: string;
  chatbot: {
    id: string;
    model: string;
    temperature: number;
    maxTokens: number;
    /** Sent when set; dropped for a model without it (services/model-call-shaping.ts). */
    reasoningEffort?: ReasoningEffort | null;
  };
  conversationId: string;
  newConversationTitle: string | null;
  /** The user message to insert, or null when regenerating an existing one. */
  userMessage: { id: string; content: string } | null;
  userMessageId: string;
  deleteMessageIds: string[];
  llmMessages: LlmMessage[];
}

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

type StreamStep = ChatStreamEvent | undefined;
const COMMIT = Symbol('commit');

/** Abort reasons → the stored status and the error the client is told. */
const abortOutcome: Record<AbortReason, { status: TurnStatus; error: ChatErrorEvent }> = {
  stopped: { status: 'stopped', error: { code: 'aborted', message: 'The answer was stopped.' } },
  interrupted: {
    status: 'interrupted',
    error: {
      code: 'service_unavailable',
      message: 'The server is restarting; the partial answer was saved.',
    },
  },
  timeout: {
    status: 'error',
    error: { code: 'timeout', message: 'The answer took too long and was cut off.' },
  },
  too_long: {
    status: 'error',
    error: { code: 'upstream', message: 'The answer was too long and was cut off.' },
  },
};

/** The upstream call once begun: its events, and the first one with output (or its end). */
interface UpstreamCall {
  iterator: AsyncIterator<ChatStreamEvent>;
  firstOutput: Promise<StreamStep>;
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
    const callUpstream = (): UpstreamCall => {
      progress.sent = true;
      const stream = deps.llm.chatStream(plan.llmMessages, {
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
    };
    const claimFirst = plan.newConversationTitle === null;
    let upstream = claimFirst ? null : callUpstream();
    const now = new Date();
    const written = deps.starts
      .add({
        userId: plan.userId,
        chatbotId: plan.chatbot.id,
        conversationId: plan.conversationId,
        newConversationTitle: plan.newConversationTitle,
        userMessage: plan.userMessage,
        deleteMessageIds: plan.deleteMessageIds,
        assistant: { id: meta.assistantMessageId, model: plan.chatbot.model },
        now,
      })
      .then(
        () => null,
        (error: unknown) => error,
      );

    const writeError = await written;
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
        assistant: { id: meta.assistantMessageId, model: plan.chatbot.model },
        removedMessageIds: plan.deleteMessageIds,
        at: now,
      }),
    );
    // Claimed: now the upstream, unless the caller left (or shutdown began) meanwhile.
    if (claimFirst && !turn.controller.signal.aborted) upstream = callUpstream();
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
        } else {
          Object.assign(facts.info, pickInfo(event));
        }
        const next = await iterator.next();
        event = next.done ? undefined : next.value;
      }
      return event;
    } catch (error) {
      return {
        type: 'error',
        error: new LlmError('upstream', 'The model connection failed.', { cause: error }),
      };
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
    return {
      type: 'error',
      error: new LlmError('upstream', 'The model connection failed.', { cause: error }),
    };
  }
}

function pickInfo(event: LlmResponseInfo): LlmResponseInfo {
  return {
    model: event.model,
    modelGroup: event.modelGroup,
    attemptedFallbacks: event.attemptedFallbacks,
    requestId: event.requestId,
  };
}

async function withCommitTimer(
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

/** A failure before output, as the HTTP error the client gets (with the ids, so it can reload). */
function toAppError(outcome: TurnOutcome, cause: LlmError | undefined): AppError {
  const error = outcome.error ?? { code: 'upstream', message: 'The model did not answer.' };
  const code = (cause?.code ?? error.code) as AppError['code'];
  return new AppError(code, error.message, {
    details: outcome.meta,
    ...(cause?.retryAfterMs !== undefined ? { retryAfterSeconds: cause.retryAfterMs / 1000 } : {}),
    cause,
  });
}
