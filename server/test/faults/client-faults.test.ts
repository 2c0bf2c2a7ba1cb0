import net from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { as } from '../helpers/build-test-app.js';
import { SseReader } from '../chat/sse-client.js';
import { openRawStream } from './raw-http.js';
import { deltaText, FaultRig, sleep, trackUnhandledRejections, waitUntil } from './fault-rig.js';

/** Node's deadline-checking period: a server setting its types do not declare. */
type CheckedServer = { connectionsCheckingInterval: number };

/** Issue 6's bound: the upstream socket closes this soon after the client leaves. */
const UPSTREAM_CLOSE_MS = 100;
/** The slow-loris guard, shortened for the test (the app configures 30 s). */
const REQUEST_TIMEOUT_MS = 1000;

/**
 * Issue 7 point 6: Stop, a client abort, a closed tab, a client that never reads and a slow-loris
 * body, against the real app over real sockets. Stop ends the upstream call within 100 ms and the
 * partial answer is stored `stopped`; a client that leaves only detaches (issue 20: the answer is a
 * run, it goes on); the server keeps serving everyone else.
 */
describe('client faults', () => {
  let rig: FaultRig;
  let unhandled: ReturnType<typeof trackUnhandledRejections>;
  const appSockets: net.Socket[] = [];

  beforeAll(async () => {
    unhandled = trackUnhandledRejections();
    rig = await FaultRig.start({
      beforeListen: (app) => {
        // What the app configures (Node derives the headers deadline from it), scaled down.
        expect([app.server.requestTimeout, app.server.headersTimeout]).toEqual([30_000, 30_000]);
        expect((app.server as unknown as CheckedServer).connectionsCheckingInterval).toBe(5_000);
        app.server.requestTimeout = REQUEST_TIMEOUT_MS;
        app.server.headersTimeout = REQUEST_TIMEOUT_MS;
        // Node checks request deadlines on this period (30 s by default).
        (app.server as unknown as CheckedServer).connectionsCheckingInterval = 100;
        app.server.on('connection', (socket: net.Socket) => appSockets.push(socket));
      },
    });
  });
  afterAll(async () => {
    await rig.close();
    unhandled.remove();
  });
  beforeEach(() => rig.mock.reset());
  afterEach(async () => {
    expect(await rig.normalTurnWorks()).toBe(true);
    expect(unhandled.reasons).toEqual([]);
  });

  const chatPath = () => `/api/chatbots/${rig.user.chatbotId}/chat`;

  it('Stop: error event `aborted`, upstream closed within 100 ms, partial answer stored stopped', async () => {
    const reader = new SseReader(await rig.post('Go on [[mock:endless,slow=5]]'));
    const meta = (await reader.until('meta'))!.data as { assistantMessageId: string };
    await reader.until('delta');
    const gone = rig.mock.waitForClientGone(2000);
    const stoppedAt = performance.now();
    const stop = await rig.stop(meta.assistantMessageId);
    expect(stop.status).toBe(202);
    expect((await gone).at - stoppedAt).toBeLessThan(UPSTREAM_CLOSE_MS);
    const events = await reader.readAll();
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { code: 'aborted' } });
    expect(await rig.row(meta.assistantMessageId)).toMatchObject({
      status: 'stopped',
      content: deltaText(events),
    });
    expect(rig.chatRequests()).toBe(1);
  });

  /** The answer goes on after its client left; Stop then ends the upstream call within 100 ms. */
  async function stillRunningThenStop(assistantMessageId: string): Promise<void> {
    await sleep(300);
    expect(rig.mock.clientsGone).toEqual([]);
    const before = (await rig.row(assistantMessageId))!;
    expect(before.status).toBe('streaming');
    await waitUntil(async () => (await rig.row(assistantMessageId))!.content.length > before.content.length);
    const gone = rig.mock.waitForClientGone(2000);
    const stoppedAt = performance.now();
    expect((await rig.stop(assistantMessageId)).status).toBe(202);
    expect((await gone).at - stoppedAt).toBeLessThan(UPSTREAM_CLOSE_MS);
    await waitUntil(async () => (await rig.row(assistantMessageId))?.status === 'stopped');
  }

  it('a client abort only detaches: the answer goes on until Stop, which closes the upstream within 100 ms', async () => {
    const controller = new AbortController();
    const reader = new SseReader(
      await rig.post('Go on [[mock:endless,slow=5]]', { signal: controller.signal }),
    );
    const meta = (await reader.until('meta'))!.data as { assistantMessageId: string };
    await reader.until('delta');
    controller.abort();
    await stillRunningThenStop(meta.assistantMessageId);
    expect((await rig.row(meta.assistantMessageId))!.content.length).toBeGreaterThan(0);
    expect(rig.chatRequests()).toBe(1);
  });

  it('a tab closed mid-stream (socket destroyed) only detaches; Stop closes the upstream within 100 ms', async () => {
    const { socket, firstBody } = await openRawStream(
      rig.base,
      chatPath(),
      rig.user.cookie,
      'Tab [[mock:endless,slow=5]]',
    );
    const meta = JSON.parse(/event: meta\ndata: (.+)\n/.exec(await firstBody)![1]!) as {
      assistantMessageId: string;
    };
    await waitUntil(async () => ((await rig.row(meta.assistantMessageId)) ? true : false));
    socket.destroy();
    await stillRunningThenStop(meta.assistantMessageId);
  });

  it('a slow-loris body (and slow headers) are cut at the request timeout; others are served meanwhile', async () => {
    const body = JSON.stringify({ message: 'x'.repeat(200) });
    const slowBody = trickle(rig.base, [
      `POST ${chatPath()} HTTP/1.1\r\nHost: 127.0.0.1\r\ncookie: ${rig.user.cookie}\r\n` +
        `origin: ${as(rig.user.cookie).origin}\r\ncontent-type: application/json\r\n` +
        `content-length: ${body.length}\r\n\r\n`,
      ...body.split(''),
    ]);
    const slowHeaders = trickle(
      rig.base,
      `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nx-slow: ${'a'.repeat(100)}`.split(''),
    );
    // Meanwhile, ordinary requests are answered.
    for (let index = 0; index < 3; index++) {
      const response = await fetch(`${rig.base}/healthz`);
      expect(response.status).toBe(200);
      await sleep(100);
    }
    for (const slow of [await slowBody, await slowHeaders]) {
      expect(slow.closedBySender).toBe(false);
      expect(slow.elapsedMs).toBeLessThan(REQUEST_TIMEOUT_MS + 5000);
      expect(slow.elapsedMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
      // Node answers 408 when it can; either way the connection is gone.
      if (slow.received) expect(slow.received).toMatch(/^HTTP\/1\.1 408/);
    }
    expect(rig.chatRequests()).toBe(0);
  });
});

/** Sends `pieces` 100 ms apart; reports how the server ended it. */
function trickle(
  base: string,
  pieces: string[],
): Promise<{ elapsedMs: number; received: string; closedBySender: boolean }> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port), url.hostname);
    const startedAt = performance.now();
    let received = '';
    let index = 0;
    let sentAll = false;
    const timer = setInterval(() => {
      if (index < pieces.length) socket.write(pieces[index++]!);
      else {
        sentAll = true;
        clearInterval(timer);
        socket.end();
      }
    }, 100);
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ elapsedMs: performance.now() - startedAt, received, closedBySender: sentAll });
    });
  });
}
