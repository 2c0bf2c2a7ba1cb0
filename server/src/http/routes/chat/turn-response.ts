import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ChatTurnResult } from '@app/common';
import type { TurnOptions, TurnOutcome, TurnSink } from '../../../services/chat/chat-types.js';
import { SseWriter } from '../../sse.js';

export type RunTurn = (sink: TurnSink, options: TurnOptions) => Promise<TurnOutcome>;

/** JSON only when asked for it without also accepting an event stream. */
export function wantsJson(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/event-stream');
}

/**
 * Answers a chat turn as Server-Sent Events: the stream opens when the answer begins (errors before
 * that propagate as ordinary JSON errors), every delta is one write, and a client that leaves aborts
 * the turn (the service stops the upstream call and saves the partial answer as `stopped`).
 */
export async function streamTurn(
  request: FastifyRequest,
  reply: FastifyReply,
  run: RunTurn,
): Promise<FastifyReply> {
  const caller = new AbortController();
  const sse = new SseWriter(reply, () => caller.abort());
  const sink: TurnSink = {
    start: (meta) => {
      sse.open();
      sse.send('meta', JSON.stringify(meta));
    },
    delta: (text) => sse.send('delta', `{"text":${JSON.stringify(text)}}`),
    drained: () => sse.drained(),
  };
  let outcome: TurnOutcome;
  try {
    outcome = await run(sink, { signal: caller.signal });
  } catch (error) {
    if (!reply.sent) throw error;
    // A failure after the stream opened is a bug, not an upstream error: say so in-band.
    request.log.error({ err: error }, 'chat stream failed');
    sse.send('error', JSON.stringify({ code: 'internal', message: 'Something went wrong on our side.' }));
    sse.end();
    return reply;
  }
  if (outcome.status === 'complete') {
    sse.send(
      'done',
      JSON.stringify({
        assistantMessageId: outcome.meta.assistantMessageId,
        finishReason: outcome.finishReason,
        usage: outcome.usage,
        ...(outcome.costUsd !== null ? { costUsd: outcome.costUsd } : {}),
        ...(outcome.answeredBy !== null ? { answeredBy: outcome.answeredBy } : {}),
        ...(outcome.fallback ? { fallback: true } : {}),
      }),
    );
  } else {
    sse.send('error', JSON.stringify(outcome.error));
  }
  sse.end();
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
