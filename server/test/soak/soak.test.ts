import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { messages } from '../../src/db/schema.js';
import { SseReader } from '../chat/sse-client.js';
import { FaultRig, sleep, trackUnhandledRejections, waitUntil } from '../faults/fault-rig.js';
import { openRawStream } from '../faults/raw-http.js';

// Bounded for `npm test`; raise for a longer local soak, e.g. SOAK_STREAMS=1000 SOAK_ROUNDS=10.
const STREAMS = Number(process.env.SOAK_STREAMS ?? 200);
const ROUNDS = Number(process.env.SOAK_ROUNDS ?? 3);
/** Retained heap per stream that would count as a leak (a stream's own state is a few kB). */
const LEAK_BYTES_PER_STREAM = 8 * 1024;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

type Kind = 'read' | 'abort' | 'never-read' | 'fault';

/**
 * A third left mid-answer (half of those JSON clients, whose turn is then stopped; the others
 * streamed, which only detaches: their answers run on), a tenth never read, a tenth with an
 * upstream fault, the rest read to the end.
 */
function kindOf(index: number): Kind {
  if (index % 3 === 0) return 'abort';
  if (index % 10 === 1) return 'never-read';
  if (index % 10 === 2) return 'fault';
  return 'read';
}

/**
 * Issue 7 point 9: hundreds of concurrent streams over several rounds, on loopback, with client
 * aborts, clients that never read and upstream faults mixed in. Afterwards every message row is
 * final, and the heap and the open handles are back near the baseline taken after a warm-up round.
 */
describe('soak', () => {
  let rig: FaultRig;
  let unhandled: ReturnType<typeof trackUnhandledRejections>;
  const figures = {
    streams: 0,
    concurrent: STREAMS,
    rounds: ROUNDS,
    aborted: 0,
    jsonAborted: 0,
    neverRead: 0,
    faults: 0,
  };

  beforeAll(async () => {
    unhandled = trackUnhandledRejections();
    rig = await FaultRig.start({ llmTimeoutMs: 15_000, mock: { maxRecordedRequests: 0, interTokenMs: 5 } });
  });
  afterAll(async () => {
    await rig.close();
    unhandled.remove();
  });

  async function round(): Promise<void> {
    const chatPath = `/api/chatbots/${rig.user.chatbotId}/chat`;
    await Promise.all(
      Array.from({ length: STREAMS }, async (_, index) => {
        const kind = kindOf(index);
        figures.streams++;
        if (kind === 'never-read') {
          figures.neverRead++;
          const { socket } = await openRawStream(rig.base, chatPath, rig.user.cookie, `Soak ${index}`, {
            readNothing: true,
          });
          await sleep(300);
          socket.destroy();
          return;
        }
        const controller = new AbortController();
        if (kind === 'abort' && index % 6 === 0) {
          // A JSON client that leaves mid-answer: that one aborts the turn (stored `stopped`).
          figures.aborted++;
          figures.jsonAborted++;
          // A slow answer (3 s) left after 300 ms: it has begun under load, and has not ended yet.
          const pending = rig
            .post(`Soak ${index} [[mock:slow=50,deltas=60]]`, {
              accept: 'application/json',
              signal: controller.signal,
            })
            .catch(() => null);
          await sleep(300);
          controller.abort();
          await pending;
          return;
        }
        // A provider cut as LiteLLM's httpx transport reports it (under aiohttp it looks like a normal end).
        const marker = kind === 'fault' ? ' [[mock:cut-after=5,transport=httpx]]' : '';
        if (kind === 'fault') figures.faults++;
        const response = await rig.post(`Soak ${index}${marker}`, { signal: controller.signal });
        expect(response.status).toBe(200);
        const reader = new SseReader(response);
        if (kind === 'abort') {
          figures.aborted++;
          await reader.until('delta');
          controller.abort();
          await reader.cancel().catch(() => {});
          return;
        }
        const events = await reader.readAll();
        expect(events.at(-1)?.event, JSON.stringify(events.at(-1))).toBe(kind === 'fault' ? 'error' : 'done');
      }),
    );
  }

  const streamingRows = async () =>
    (
      await rig.t.database.db.select({ n: count() }).from(messages).where(eq(messages.status, 'streaming'))
    )[0]!.n;

  async function settle(): Promise<{ heap: number; handles: number }> {
    await waitUntil(async () => (await streamingRows()) === 0, 20_000, 'every answer final');
    // Idle keep-alive connections (test → app, app → mock) close after undici's 4 s.
    await sleep(4500);
    gc();
    gc();
    return { heap: process.memoryUsage().heapUsed, handles: process.getActiveResourcesInfo().length };
  }

  it(`${ROUNDS} rounds of ${STREAMS} concurrent streams: nothing lost, no leak`, async () => {
    await round(); // warm-up: pools, JIT, caches
    const baseline = await settle();
    for (let index = 0; index < ROUNDS; index++) await round();
    const after = await settle();

    const rows = await rig.allRows();
    const lost = rows.filter((row) => row.status === 'streaming').length;
    const assistants = rows.filter((row) => row.role === 'assistant');
    const byStatus = Object.fromEntries(
      ['complete', 'stopped', 'error', 'interrupted'].map((status) => [
        status,
        assistants.filter((row) => row.status === status).length,
      ]),
    );
    const report = {
      ...figures,
      lost,
      byStatus,
      heapGrowthMb: Math.round(((after.heap - baseline.heap) / 1e6) * 10) / 10,
      handles: { baseline: baseline.handles, after: after.handles },
    };
    console.log(`soak figures ${JSON.stringify(report)}`);

    expect(lost).toBe(0);
    // Every question has its answer row; only a client that left before its turn began has neither.
    expect(rows.filter((row) => row.role === 'user')).toHaveLength(assistants.length);
    expect(assistants.length).toBeGreaterThanOrEqual(
      STREAMS * (ROUNDS + 1) - figures.neverRead - figures.jsonAborted,
    );
    expect(byStatus.complete).toBeGreaterThan(0);
    expect(byStatus.stopped).toBeGreaterThan(0);
    expect(byStatus.error).toBeGreaterThan(0);
    expect(after.heap - baseline.heap).toBeLessThan(LEAK_BYTES_PER_STREAM * STREAMS * ROUNDS);
    expect(after.handles).toBeLessThanOrEqual(baseline.handles + 5);
    expect(unhandled.reasons).toEqual([]);
  }, 120_000);
});
