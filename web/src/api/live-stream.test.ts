import { describe, expect, it } from 'vitest';
import type { LiveSseEvent } from '@app/common';
import { LiveStreamEnded, readLiveStream } from './live-stream';
import { streamOf } from '../test-support/fake-fetch';

const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

async function collect(stream: AsyncIterable<LiveSseEvent>) {
  const events: LiveSseEvent[] = [];
  try {
    for await (const event of stream) events.push(event);
  } catch (error) {
    return { events, error };
  }
  return { events, error: null };
}

describe('readLiveStream', () => {
  it('reads ready, turn and run events across runs (cut lines kept), and says when the server closed it', async () => {
    const ready = frame('ready', { conversationId: 'c1', updatedAt: 't', live: null });
    const done = frame('done', { assistantMessageId: 'a1', finishReason: 'stop', usage: {}, seq: 2 });
    const { body } = streamOf([
      ready.slice(0, 9),
      ready.slice(9),
      ': ping\n\n',
      frame('turn', { conversationId: 'c1', userMessage: null, assistantMessage: {}, removedMessageIds: [] }),
      frame('meta', { conversationId: 'c1', userMessageId: 'u1', assistantMessageId: 'a1', seq: 0 }),
      frame('delta', { text: 'Hi', seq: 2 }),
      done,
      frame('something-new', { ignored: true }),
      frame('meta', { conversationId: 'c1', userMessageId: 'u2', assistantMessageId: 'a2', seq: 0 }),
    ]);
    const { events, error } = await collect(readLiveStream(body));
    // A terminal event does not end a live stream: the next run follows.
    expect(events.map((event) => event.event)).toEqual(['ready', 'turn', 'meta', 'delta', 'done', 'meta']);
    expect(events[3]).toEqual({ event: 'delta', data: { text: 'Hi', seq: 2 } });
    expect(error).toBeInstanceOf(LiveStreamEnded);
    expect((error as LiveStreamEnded).reason).toBe('closed');
  });

  it('a malformed event ends it (the caller re-reads); an abort just returns', async () => {
    const broken = await collect(readLiveStream(streamOf(['event: delta\ndata: {nope\n\n']).body));
    expect((broken.error as LiveStreamEnded).reason).toBe('bad_event');

    const controller = new AbortController();
    const endless = streamOf([frame('ready', { conversationId: 'c1', updatedAt: 't', live: null })], {
      endless: true,
    });
    const reading = collect(readLiveStream(endless.body, controller.signal));
    await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    const aborted = await reading;
    expect(aborted.error).toBeNull();
    expect(aborted.events).toHaveLength(1);
    expect(endless.isCancelled()).toBe(true);
  });
});
