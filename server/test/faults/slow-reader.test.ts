import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultRig, sleep, trackUnhandledRejections, waitUntil, type MessageRow } from './fault-rig.js';
import { openRawStream } from './raw-http.js';

/**
 * One answer delta: 16,384 control characters. JSON writes each as `\u0001` (6 bytes), so the answer
 * size limit (1,000,000 characters) lies at ~6 MB on the wire, past what loopback's kernel buffers
 * hold (~4 MB): the server meets back-pressure before the limit.
 */
const DELTA_CHARS = 16_384;
const FRAME_BYTES = DELTA_CHARS * 6 + 64;

/**
 * Issue 7 point 6, a client that never reads, over a real socket; with issue 20 (answers are runs):
 * the server stops writing to it once its buffer is full (its own buffer stays within one frame of
 * the high-water mark: catch-up pieces are at most one delta's size) instead of buffering the
 * answer, and the run does not wait for it — it reads the upstream on, here to the answer limit, and
 * is saved. The socket's loss afterwards changes nothing.
 */
describe('a client that never reads', () => {
  let rig: FaultRig;
  let unhandled: ReturnType<typeof trackUnhandledRejections>;
  const appSockets: net.Socket[] = [];

  beforeAll(async () => {
    unhandled = trackUnhandledRejections();
    rig = await FaultRig.start({
      mock: { answer: '\u0001'.repeat(DELTA_CHARS) },
      beforeListen: (app) => app.server.on('connection', (socket: net.Socket) => appSockets.push(socket)),
    });
  });
  afterAll(async () => {
    await rig.close();
    unhandled.remove();
  });

  it('the server stops writing without buffering the answer, and the run goes on to its end', async () => {
    const message = 'Flood [[mock:endless,slow=20]]';
    const { socket } = await openRawStream(
      rig.base,
      `/api/chatbots/${rig.user.chatbotId}/chat`,
      rig.user.cookie,
      message,
      { readNothing: true },
    );
    let assistant: MessageRow | undefined;
    await waitUntil(async () => {
      const user = (await rig.allRows()).find((row) => row.content === message);
      assistant = user && (await rig.rowsOf(user.conversationId)).find((row) => row.role === 'assistant');
      return assistant !== undefined;
    });
    const serverSide = appSockets.find(
      (candidate) => candidate.remotePort === socket.localPort && !candidate.destroyed,
    )!;
    expect(serverSide).toBeDefined();
    const bound = serverSide.writableHighWaterMark + FRAME_BYTES;
    let largestBuffer = 0;
    const written = () => serverSide.bytesWritten + serverSide.writableLength;
    // The run reads the upstream to the answer limit (~1.3 s at 20 ms a delta) though nobody reads.
    await waitUntil(
      async () => {
        largestBuffer = Math.max(largestBuffer, serverSide.writableLength);
        return (await rig.row(assistant!.id))?.status !== 'streaming';
      },
      15_000,
      'the run to end though its client reads nothing',
    );
    const row = (await rig.row(assistant!.id))!;
    expect(row).toMatchObject({ status: 'error', errorCode: 'upstream' });
    expect(row.content.length).toBe(Math.floor(1_000_000 / DELTA_CHARS) * DELTA_CHARS);
    // The server wrote what the socket took and no more: the rest waits in the run's buffer.
    const parkedAt = written();
    for (let sample = 0; sample < 10; sample++) {
      await sleep(50);
      largestBuffer = Math.max(largestBuffer, serverSide.writableLength);
    }
    expect(written()).toBe(parkedAt);
    expect(parkedAt).toBeLessThan(row.content.length * 6);
    expect(largestBuffer).toBeGreaterThan(0);
    expect(largestBuffer).toBeLessThanOrEqual(bound);

    socket.destroy();
    await sleep(100);
    expect((await rig.row(assistant!.id))!.status).toBe('error');
    expect(unhandled.reasons).toEqual([]);
  });
});
