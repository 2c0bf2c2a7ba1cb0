import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { failureOf } from './chat-answer-plan.js';
import type { ChatContext, ChatWire, StreamFrames, WireResponse } from './chat-wire.js';
import type { MockFault, MockLlmOptions } from './mock-llm-types.js';
import { toolCallTokens } from './tool-call-plan.js';

/** Shared between the server (which notices the client leaving) and the responder (which writes). */
export interface ResponseTracker {
  /** The mock ended the response on purpose (normally, or as a fault). */
  finished: boolean;
  /** The connection closed before `finished`. */
  gone: boolean;
  deltasSent: number;
  /** The answer is still being generated (it may go on after the client left). */
  generating: boolean;
}

type StopAction = 'stall' | 'cut' | 'reset' | 'malformed' | 'inband';

/** The earliest mid-stream fault, if any. */
function firstStop(fault: MockFault): { at: number; action: StopAction } | null {
  const candidates: Array<[number | undefined, StopAction]> = [
    [fault.stallAfter, 'stall'],
    [fault.cutAfter, 'cut'],
    [fault.resetAfter, 'reset'],
    [fault.malformedAfter, 'malformed'],
    [fault.inbandErrorAfter, 'inband'],
  ];
  let best: { at: number; action: StopAction } | null = null;
  for (const [at, action] of candidates) {
    if (at !== undefined && (best === null || at < best.at)) best = { at, action };
  }
  return best;
}

// Unreferenced so a pending delay never keeps a test process alive.
const wait = (ms: number) => sleep(ms, undefined, { ref: false });

function send(response: ServerResponse, answer: WireResponse): void {
  response.writeHead(answer.status, answer.headers);
  response.end(answer.body);
}

/**
 * Answers one planned chat request, streaming or not, applying its fault. The flavour's wire decides
 * every byte; this decides when they are written. Resolves when the answer is no longer generated.
 */
export async function respondToChat(
  response: ServerResponse,
  context: ChatContext,
  wire: ChatWire,
  options: MockLlmOptions,
  tracker: ResponseTracker,
): Promise<void> {
  const { fault } = context.plan;
  if (fault.hang) return;
  const ttftMs = fault.ttftMs ?? options.ttftMs ?? 0;
  if (ttftMs > 0) await wait(ttftMs);
  if (tracker.gone) return;
  const failure = failureOf(fault);
  if (failure) {
    tracker.finished = true;
    send(response, wire.error(context, { ...failure, fault }));
    return;
  }
  if (!context.plan.stream) return respondWhole(response, context, wire, tracker);
  return streamAnswer(response, context, wire, options, tracker);
}

async function streamAnswer(
  response: ServerResponse,
  context: ChatContext,
  wire: ChatWire,
  options: MockLlmOptions,
  tracker: ResponseTracker,
): Promise<void> {
  const { plan } = context;
  const { fault, deltas } = plan;
  let frames = wire.stream(context);
  response.writeHead(200, frames.headers);
  const stop = firstStop(fault);
  const interval = fault.slowMs ?? options.interTokenMs ?? 0;
  const pace = fault.endless ? Math.max(interval, 1) : interval;
  // Generation goes on without a reader when the flavour says so (never for an endless answer).
  const outlives = wire.upstreamOutlivesClient && !fault.endless;
  let buffer = frames.open();
  const write = (text: string) => {
    if (text && !tracker.gone) response.write(text);
  };
  /** Writes what is buffered and waits a beat; false when the answer stops with its client. */
  const paced = async (): Promise<boolean> => {
    if (pace <= 0) return true;
    write(buffer);
    buffer = '';
    await wait(pace);
    return !tracker.gone || outlives;
  };
  const end = (text: string) => {
    tracker.finished = true;
    if (!tracker.gone) response.end(text);
  };

  for (const text of plan.reasoning) {
    buffer += frames.reasoning(text);
    if (!(await paced())) return;
  }
  if (plan.toolCall) buffer += frames.toolCall(plan.toolCall);
  let index = 0;
  let continuedAt: number | null = null;
  for (;;) {
    if (stop !== null && continuedAt === null && tracker.deltasSent === stop.at) {
      if (stop.action !== 'cut')
        return stopStream(response, stop.action, buffer, plan.fault, frames, tracker);
      const outcome = wire.cut(context, frames, tracker.deltasSent);
      if ('end' in outcome) return end(buffer + outcome.end);
      // A mid-stream fallback: the next deployment continues on the same response.
      write(buffer);
      buffer = '';
      if (outcome.ttftMs > 0) await wait(outcome.ttftMs);
      if (tracker.gone && !outlives) return;
      frames = outcome.continueWith;
      continuedAt = tracker.deltasSent;
      continue;
    }
    if (!fault.endless && index >= deltas.length) break;
    buffer += frames.content(deltas[index % deltas.length] as string);
    index++;
    tracker.deltasSent++;
    if (!(await paced())) return;
  }
  buffer += frames.finish(plan.finishReason);
  buffer +=
    continuedAt === null
      ? frames.usage(
          deltas.length + (plan.toolCall ? toolCallTokens(plan.toolCall) : 0),
          plan.reasoning.length,
        )
      : frames.usage(deltas.length - continuedAt, 0);
  end(buffer + frames.done());
}

function stopStream(
  response: ServerResponse,
  action: Exclude<StopAction, 'cut'>,
  buffer: string,
  fault: MockFault,
  frames: StreamFrames,
  tracker: ResponseTracker,
): void {
  if (tracker.gone) return;
  if (action === 'stall') {
    if (buffer) response.write(buffer);
    return;
  }
  tracker.finished = true;
  if (action === 'reset') response.write(buffer, () => response.destroy());
  else if (action === 'malformed') response.end(buffer + frames.malformed());
  else response.end(buffer + frames.inbandError(fault.error ?? 'server'));
}

function respondWhole(
  response: ServerResponse,
  context: ChatContext,
  wire: ChatWire,
  tracker: ResponseTracker,
): void {
  const { fault } = context.plan;
  tracker.finished = true;
  if (fault.cutAfter !== undefined || fault.resetAfter !== undefined) {
    response.destroy();
    return;
  }
  if (fault.stallAfter !== undefined) {
    tracker.finished = false;
    response.writeHead(200, { ...wire.answerHeaders(context), 'content-type': 'application/json' });
    return;
  }
  if (fault.inbandErrorAfter !== undefined) {
    // No in-band channel in a whole answer: a plain 500, without the fault's Retry-After.
    const plain = { ...fault, retryAfter: undefined, retryAfterMs: undefined };
    send(response, wire.error(context, { status: 500, kind: fault.error ?? 'server', fault: plain }));
    return;
  }
  if (fault.malformedAfter !== undefined) {
    response.writeHead(200, { ...wire.answerHeaders(context), 'content-type': 'application/json' });
    response.end('{"id":"broken","choices":[');
    return;
  }
  send(response, wire.whole(context));
}
