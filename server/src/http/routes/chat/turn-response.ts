import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ChatTurnResult } from '@app/common';
import type { TurnOptions, TurnOutcome, TurnSink } from '../../../services/chat/chat-types.js';
import { AppError } from '../../../errors.js';
import { SseWriter } from '../../sse.js';

export type RunTurn = (sink: TurnSink, options: TurnOptions) => Promise<TurnOutcome>;

/** JSON only when asked for it without also accepting an event stream. */
export function wantsJson(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/event-stream');
}

/**
 * Answers a chat turn as Server-Sent Events: the stream opens when the answer begins (errors before
 * that propagate as ordinary JSON errors) and follows the run (services/runs): every delta one
 * write, a full socket caught up from the run's buffer once it drained, then `done` | `error`. A
 * client that leaves only detaches: the run goes on and is saved and billed as if watched.
 */
export async function streamTurn(
  request: FastifyRequest,
  reply: FastifyReply,
  run: RunTurn,
): Promise<FastifyReply> {
  let viewed!: () => void;
  /** The end was written, or the client left. */
  const finished = new Promise<void>((resolve) => {
    viewed = resolve;
  });
  const writer = new SseWriter(reply, () => {
    attached = null;
    viewed();
  });
  /**
   * What the sink writes to, dropped once the client left: the run (and every frame awaiting it)
   * keeps the sink until it ends, but not the request, the reply or the socket behind them.
   */
  let attached: SseWriter | null = writer;
  const sink: TurnSink = {
    start: (meta) => {
      attached?.open();
      attached?.send('meta', JSON.stringify({ ...meta, seq: 0 }));
    },
    delta: (text, seq) => attached?.send('delta', `{"text":${JSON.stringify(text)},"seq":${seq}}`) ?? true,
    drained: () => attached?.drained() ?? Promise.resolve(),
    end: (end) => {
      attached?.send(end.event, JSON.stringify(end.data));
      attached?.end();
      attached = null;
      viewed();
    },
    get closed() {
      return attached === null || attached.closed;
    },
  };
  const log = request.log;
  const running = run(sink, {}).then(
    () => null,
    (error: unknown) => error ?? new Error('the turn failed'),
  );
  const failure = await Promise.race([running, finished.then(() => undefined)]);
  if (failure === undefined) {
    // Detached (or ended): the run finishes on its own; only a bug can still fail it.
    void running.then((error) => {
      if (error !== null && !(error instanceof AppError)) log.error({ err: error }, 'chat run failed');
    });
    return reply;
  }
  if (failure === null) {
    await finished;
    return reply;
  }
  if (!reply.sent) throw failure;
  // A failure after the stream opened is a bug, not an upstream error: say so in-band.
  log.error({ err: failure }, 'chat stream failed');
  writer.send('error', JSON.stringify({ code: 'internal', message: 'Something went wrong on our side.' }));
  writer.end();
  return reply;
}

/** The same turn as one JSON body (Accept: application/json). */
export async function jsonTurn(reply: FastifyReply, run: RunTurn): Promise<ChatTurnResult> {
  const caller = new AbortController();
  const onClose = () => {
    if (!reply.raw.writableFinished) caller.abort();
  };
  reply.raw.on('close', onClose);
  const collect: TurnSink = { start: () => {}, delta: () => true, drained: () => Promise.resolve() };
  const outcome = await run(collect, { signal: caller.signal, commitAfterMs: null });
  return {
    ...outcome.meta,
    content: outcome.content,
    status: outcome.status,
    finishReason: outcome.finishReason,
    usage: outcome.usage,
    ...(outcome.costUsd !== null ? { costUsd: outcome.costUsd } : {}),
    ...(outcome.answeredBy !== null ? { answeredBy: outcome.answeredBy } : {}),
    ...(outcome.fallback ? { fallback: true as const } : {}),
    ...(outcome.error ? { error: outcome.error } : {}),
  };
}
