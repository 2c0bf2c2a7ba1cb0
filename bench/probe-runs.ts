import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startMockLlm } from '@app/mock-llm';
import { startApp } from './lib/app-instance.js';
import { benchModel } from './lib/arms.js';
import { createThrowAwayDatabase } from './lib/postgres-database.js';
import { percentile } from './lib/stats.js';

/**
 * Issue 20's figures: what a live run costs in memory, and how long a viewer waits for the text
 * buffered so far when it re-attaches. `runs` answers are started and left (their clients detach
 * after the first delta); each stalls after `chars` characters with its upstream open, so every
 * run holds the same text while the app's heap is read (after two full GCs, by lib/heap-probe.mjs
 * inside the app process). Then `reattach` viewers, one after another, open GET …/live?after=0 and
 * time the first byte and the buffered text; then one viewer per run is attached and the heap read
 * again. Everything is stopped at the end.
 *   node --import tsx bench/probe-runs.ts [--runs 500] [--chars 2000] [--reattach 50] [--postgres <url>] [--name <n>]
 */
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '500' },
    chars: { type: 'string', default: '2000' },
    reattach: { type: 'string', default: '50' },
    postgres: { type: 'string' },
    // With --postgres: a second app process on the same database and this Redis; the runs live on
    // the first, and re-attaching is also timed on the second (fed through Redis).
    redis: { type: 'string' },
    name: { type: 'string' },
  },
});
const runCount = Number(values.runs);
const chars = Number(values.chars);
const reattachCount = Number(values.reattach);
const charsPerDelta = 4;
const deltas = Math.ceil(chars / charsPerDelta);
/** The mock's first delta is one character shorter (no leading space): a run holds at least this. */
const target = chars - charsPerDelta;
const repoRoot = path.resolve(import.meta.dirname, '..');
const workDir = mkdtempSync(path.join(tmpdir(), 'probe-runs-'));
const heapFile = path.join(workDir, 'heap.json');
const apiKey = 'probe-key';

// The answer is `deltas * 4` characters of 4-character deltas; the run stalls after `deltas` of a
// twice as long answer, so it stays live with exactly `chars` characters.
const mock = await startMockLlm({
  apiKey,
  interTokenMs: 10,
  answer: 'abc '.repeat(deltas * 2),
  maxRecordedRequests: 0,
});
if (values.redis && !values.postgres)
  throw new Error('--redis needs --postgres (two instances share one database)');
const database = values.postgres ? await createThrowAwayDatabase(values.postgres) : null;
const authSecret = randomBytes(32).toString('base64url');
const shared: Record<string, string> = values.redis ? { REDIS_URL: values.redis } : {};
const app = await startApp({
  repoRoot,
  workDir,
  label: 'runs',
  mockUrl: mock.url,
  mockApiKey: apiKey,
  model: benchModel,
  databaseUrl: database?.url ?? null,
  nodeArgs: ['--expose-gc', '--import', path.join(repoRoot, 'bench/lib/heap-probe.mjs')],
  env: { ...shared, HEAP_PROBE_FILE: heapFile, LLM_TIMEOUT_MS: '600000', LOG_LEVEL: 'warn' },
  authSecret,
});
const other = values.redis
  ? await startApp({
      repoRoot,
      workDir,
      label: 'runs-b',
      mockUrl: mock.url,
      mockApiKey: apiKey,
      model: benchModel,
      databaseUrl: database!.url,
      env: { ...shared, LLM_TIMEOUT_MS: '600000', LOG_LEVEL: 'warn' },
      authSecret,
    })
  : null;
const headers = { cookie: app.cookie, origin: app.origin };

interface Heap {
  heapUsed: number;
  rss: number;
  external: number;
  arrayBuffers: number;
}

async function heap(): Promise<Heap> {
  const before = existsSync(heapFile) ? readFileSync(heapFile, 'utf8') : '';
  process.kill(app.started.pid, 'SIGUSR2');
  for (let attempt = 0; attempt < 200; attempt++) {
    await sleep(25);
    const now = existsSync(heapFile) ? readFileSync(heapFile, 'utf8') : '';
    if (now && now !== before) return JSON.parse(now) as Heap;
  }
  throw new Error('the heap probe did not answer');
}

/** Reads an SSE body until `stop` says so; returns what it saw. */
async function readEvents(
  response: Response,
  stop: (event: string, data: Record<string, unknown>) => boolean,
): Promise<void> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) throw new Error('the stream ended early');
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const name = /^event: (.+)$/m.exec(frame)?.[1];
      const data = /^data: (.+)$/m.exec(frame)?.[1];
      if (name && data && stop(name, JSON.parse(data) as Record<string, unknown>)) return;
    }
  }
}

interface Started {
  conversationId: string;
  assistantMessageId: string;
}

/** Starts one answer and leaves after its first delta (the run goes on). */
async function startRun(index: number): Promise<Started> {
  const controller = new AbortController();
  const response = await fetch(`${app.origin}/api/chatbots/${app.chatbotId}/chat`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ message: `Run ${index} [[mock:deltas=${deltas * 2},stall-after=${deltas}]]` }),
    signal: controller.signal,
  });
  if (response.status !== 200)
    throw new Error(`run ${index}: HTTP ${response.status} ${await response.text()}`);
  let meta: Started | null = null;
  await readEvents(response, (event, data) => {
    if (event === 'meta') meta = data as unknown as Started;
    return event === 'delta';
  });
  controller.abort();
  return meta!;
}

async function liveSeq(conversationId: string): Promise<number> {
  const response = await fetch(`${app.origin}/api/conversations/${conversationId}`, { headers });
  const body = (await response.json()) as { live: { seq: number } | null };
  return body.live?.seq ?? -1;
}

async function inBatches<T, R>(items: T[], size: number, work: (item: T, index: number) => Promise<R>) {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += size) {
    results.push(
      ...(await Promise.all(items.slice(start, start + size).map((item, at) => work(item, start + at)))),
    );
  }
  return results;
}

try {
  // Warm-up: pools, JIT, caches; one finished turn.
  await inBatches(Array.from({ length: 5 }), 5, async (_, index) => {
    const response = await fetch(`${app.origin}/api/chatbots/${app.chatbotId}/chat`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ message: `Warm-up ${index} [[mock:deltas=4]]` }),
    });
    await readEvents(response, (event) => event === 'done');
  });
  // And one stopped mid-answer (a stopped turn counts its tokens itself: the tokenizer is loaded).
  const warm = await startRun(-1);
  await fetch(`${app.origin}/api/messages/${warm.assistantMessageId}/stop`, { method: 'POST', headers });
  await sleep(1000);
  const baseline = await heap();

  const startedAt = performance.now();
  const runs = await inBatches(Array.from({ length: runCount }), 50, (_, index) => startRun(index));
  const startMs = performance.now() - startedAt;
  // Every run at its stall point: the whole text buffered, nothing more coming.
  const deadline = Date.now() + 120_000;
  for (const run of runs) {
    while ((await liveSeq(run.conversationId)) < target) {
      if (Date.now() > deadline) throw new Error('runs did not reach their text in time');
      await sleep(100);
    }
  }
  await sleep(1500); // the last partial flush
  const withRuns = await heap();

  // Re-attach: time to the buffered text (one piece), viewers one after another.
  const reattachOn = async (origin: string) => {
    const firstByte: number[] = [];
    const buffered: number[] = [];
    const readAndAttach: number[] = [];
    for (const run of runs.slice(0, reattachCount)) {
      const sentAt = performance.now();
      const response = await fetch(`${origin}/api/conversations/${run.conversationId}/live?after=0`, {
        headers: { ...headers, accept: 'text/event-stream' },
      });
      let got = 0;
      let first = 0;
      await readEvents(response, (event, data) => {
        first ||= performance.now() - sentAt;
        if (event === 'delta') got = data.seq as number;
        return got >= target;
      });
      buffered.push(performance.now() - sentAt);
      firstByte.push(first);
      await response.body?.cancel().catch(() => {});
      // As a reloaded page does it: read the conversation, then attach from where the read stands.
      const readAt = performance.now();
      const read = await fetch(`${origin}/api/conversations/${run.conversationId}`, { headers });
      const { live } = (await read.json()) as { live: { assistantMessageId: string; seq: number } };
      const attached = await fetch(
        `${origin}/api/conversations/${run.conversationId}/live?after=${live.seq}&assistantMessageId=${live.assistantMessageId}`,
        { headers: { ...headers, accept: 'text/event-stream' } },
      );
      await readEvents(attached, (event) => event === 'meta');
      readAndAttach.push(performance.now() - readAt);
      await attached.body?.cancel().catch(() => {});
    }
    return { firstByte, buffered, readAndAttach };
  };
  const local = await reattachOn(app.origin);
  const remote = other ? await reattachOn(other.origin) : null;

  // One viewer per run, attached and idle (what an open tab costs the server).
  const viewers = await inBatches(runs, 50, async (run) => {
    const controller = new AbortController();
    const response = await fetch(`${app.origin}/api/conversations/${run.conversationId}/live?after=0`, {
      headers: { ...headers, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    let got = 0;
    await readEvents(response, (event, data) => {
      if (event === 'delta') got = data.seq as number;
      return got >= target;
    });
    return controller;
  });
  await sleep(500);
  const withViewers = await heap();
  for (const viewer of viewers) viewer.abort();

  // Stop everything, and look again once it is all over (what the runs held is what went away).
  await inBatches(runs, 50, async (run) => {
    await fetch(`${app.origin}/api/messages/${run.assistantMessageId}/stop`, { method: 'POST', headers });
  });
  for (const run of runs) {
    while ((await liveSeq(run.conversationId)) >= 0) await sleep(50);
  }
  await sleep(5000); // idle upstream sockets close after 4 s
  const afterEnd = await heap();

  const kib = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;
  const stats = (samples: number[]) => ({
    p50: Math.round((percentile(samples, 50) ?? 0) * 100) / 100,
    p95: Math.round((percentile(samples, 95) ?? 0) * 100) / 100,
    max: Math.round(Math.max(...samples) * 100) / 100,
    samples: samples.length,
  });
  const result = {
    kind: 'runs',
    date: new Date().toISOString(),
    machine: {
      cores: cpus().length,
      cpu: cpus()[0]?.model ?? '',
      node: process.version,
      loadAverage: loadavg(),
    },
    database: values.postgres ? 'postgres' : 'pglite',
    instances: other ? 2 : 1,
    runs: runCount,
    charsPerRun: chars,
    startRunsMs: Math.round(startMs),
    memory: {
      baselineHeapMiB: Math.round((baseline.heapUsed / 1048576) * 10) / 10,
      // What the live runs held: the heap with them minus the heap once they all ended.
      perLiveRunKiB: kib((withRuns.heapUsed - afterEnd.heapUsed) / runCount),
      perLiveRunSinceBaselineKiB: kib((withRuns.heapUsed - baseline.heapUsed) / runCount),
      perLiveRunRssKiB: kib((withRuns.rss - baseline.rss) / runCount),
      perViewerKiB: kib((withViewers.heapUsed - withRuns.heapUsed) / runCount),
      leftAfterEndKiB: kib(afterEnd.heapUsed - baseline.heapUsed),
      textKiBPerRun: kib(chars),
    },
    reattachMs: {
      firstEvent: stats(local.firstByte),
      bufferedText: stats(local.buffered),
      readThenAttach: stats(local.readAndAttach),
    },
    // The run on instance A, the viewer on instance B (Redis pub/sub and the shared text).
    ...(remote
      ? {
          reattachOtherInstanceMs: {
            firstEvent: stats(remote.firstByte),
            bufferedText: stats(remote.buffered),
            readThenAttach: stats(remote.readAndAttach),
          },
        }
      : {}),
  };
  console.log(JSON.stringify(result, null, 2));
  const name = values.name ?? `${new Date().toISOString().slice(0, 10)}-runs`;
  const dir = path.join(repoRoot, 'bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await other?.close();
  await app.close();
  await mock.close();
  await database?.drop();
  rmSync(workDir, { recursive: true, force: true });
}
