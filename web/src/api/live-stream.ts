import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { LiveSseEvent } from '@app/common';
import { isAbortError } from './http-client';

const LIVE_EVENTS = new Set(['ready', 'turn', 'meta', 'delta', 'done', 'error']);

/** Why a live stream stopped: the server closed it, or the connection broke. */
export class LiveStreamEnded extends Error {
  override readonly name = 'LiveStreamEnded';
  constructor(readonly reason: 'closed' | 'network' | 'bad_event') {
    super(`The live stream ended (${reason}).`);
  }
}

function toLiveEvent(message: EventSourceMessage): LiveSseEvent | null {
  if (!LIVE_EVENTS.has(message.event ?? '')) return null; // unknown names: forward compatible
  let data: unknown;
  try {
    data = JSON.parse(message.data);
  } catch {
    return null;
  }
  if (!data || typeof data !== 'object') return null;
  return { event: message.event, data } as LiveSseEvent;
}

/**
 * Decodes a conversation's live stream (GET /api/conversations/:id/live). Unlike a chat turn's
 * stream it spans many runs and never ends on its own: every way it stops (the server closed it,
 * the network broke, a malformed event) throws LiveStreamEnded, so the caller re-reads and
 * re-attaches; an abort just returns.
 */
export async function* readLiveStream(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<LiveSseEvent, void, undefined> {
  const pending: LiveSseEvent[] = [];
  let malformed = false;
  const parser = createParser({
    onEvent(message) {
      const event = toLiveEvent(message);
      if (event) pending.push(event);
      else if (LIVE_EVENTS.has(message.event ?? '')) malformed = true;
    },
  });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const onAbort = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      if (signal?.aborted) return;
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (signal?.aborted || isAbortError(error)) return;
        throw new LiveStreamEnded('network');
      }
      if (chunk.done) break;
      parser.feed(decoder.decode(chunk.value, { stream: true }));
      while (pending.length > 0) yield pending.shift() as LiveSseEvent;
      if (malformed) throw new LiveStreamEnded('bad_event');
    }
    if (signal?.aborted) return;
    throw new LiveStreamEnded('closed');
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
