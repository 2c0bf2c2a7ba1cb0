import type { ChatDoneEvent, ChatErrorEvent, ChatMessage } from '@app/common';

/** What a delta did to the answer it belongs to. */
export type DeltaResult = 'applied' | 'duplicate' | 'gap';

/**
 * Appends a delta at its place: `seq` is where it ends in the answer, so a piece the message
 * already has (the same run from a second stream, or a replay after re-attaching) adds nothing,
 * an overlap adds only what is new, and text missing before it is a gap (the caller re-reads).
 * Without `seq` (an older server) the text is appended.
 */
export function applyDelta(message: ChatMessage, text: string, seq: number | undefined): DeltaResult {
  if (seq === undefined) {
    message.content += text;
    return 'applied';
  }
  const start = seq - text.length;
  const have = message.content.length;
  if (start > have) return 'gap';
  if (seq <= have) return 'duplicate';
  message.content += text.slice(have - start);
  return 'applied';
}

/** The answer's last event; returns the error to show, if any (a Stop is not one). */
export function applyEnd(
  message: ChatMessage,
  end: { event: 'done'; data: ChatDoneEvent } | { event: 'error'; data: ChatErrorEvent },
): ChatErrorEvent | null {
  if (end.event === 'done') {
    message.status = 'complete';
    message.errorCode = null;
    message.finishReason = end.data.finishReason;
    message.usage = end.data.usage;
    message.costUsd = end.data.costUsd ?? null;
    if (end.data.answeredBy) message.answeredBy = end.data.answeredBy;
    if (end.data.fallback) message.fallback = true;
    return null;
  }
  const stopped = end.data.code === 'aborted';
  message.status = stopped ? 'stopped' : 'error';
  message.errorCode = stopped ? null : end.data.code;
  return stopped ? null : end.data;
}

/**
 * An `error` the browser made up because its POST stream broke (no `seq`: the server did not send
 * it). The run goes on on the server; the live stream carries the rest of it.
 */
export function isLocalStreamEnd(end: ChatErrorEvent): boolean {
  return end.seq === undefined && (end.code === 'network' || end.code === 'unexpected_end');
}
