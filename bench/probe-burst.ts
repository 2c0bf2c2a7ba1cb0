import { subscribe } from 'node:diagnostics_channel';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startApp, type AppInstance } from './lib/app-instance.js';
import { appArm, benchModel, openAiArm, specFor, type Arm } from './lib/arms.js';
import { createThrowAwayDatabase } from './lib/postgres-database.js';
import { cpuSeconds, startNode, stop, waitForReadyLine, type Started } from './lib/processes.js';
import { percentile } from './lib/stats.js';
import { streamOnce } from './client/stream-request.js';

/**
 * Where a burst's added TTFT goes, in the bare proxy (E) and in the app (B-pg; B with --pglite).
 * Each round sends `c` chat requests at once to one arm (arms alternate). Inside each server,
 * Node's own diagnostics channels (bench/lib/burst-recorder.mjs, loaded with --import: no change to
 * the server's code) time the first request's arrival, every upstream request leaving and every
 * upstream answer's head. One event loop reads the requests one after another, so the span from the
 * first arrival to the last upstream request is serial work: divided by the burst's size it is what
 * each arriving request costs before the next one can be read, the figure that sets the TTFT p99 of
 * a burst. A development tool, not part of a run:
 *   node --import tsx bench/probe-burst.ts [--c 50] [--rounds 20] [--deltas 4] [--pause 250] [--pglite]
 */
const { values } = parseArgs({
  options: {
    c: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '20' },
    deltas: { type: 'string', default: '4' },
    pglite: { type: 'boolean', default: false },
    postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    // Idle ms after each burst: the measured run interleaves four arms, so an arm idles ≈ 4 s
    // between its batches of 64 deltas.
    pause: { type: 'string', default: '250' },
    // Keeps the recorded times and writes a CPU profile of the app (its figures are then inflated).
    keep: { type: 'boolean', default: false },
  },
});
const concurrency = Number(values.c);
const rounds = Number(values.rounds);
const deltas = Number(values.deltas);
const warmUpRounds = 3;
const ttftMs = 50;
const repoRoot = path.resolve(import.meta.dirname, '..');
const recorder = path.join(repoRoot, 'bench/lib/burst-recorder.mjs');
const workDir = mkdtempSync(path.join(tmpdir(), 'probe-burst-'));
const apiKey = 'probe-key';

interface Probed {
  arm: Arm;
  recordFile: string;
  ttfts: number[];
  sendSpreadsMs: number[];
  cpuSeconds: number;
}

const started: Started[] = [];
const apps: AppInstance[] = [];
const database = values.pglite ? null : await createThrowAwayDatabase(values.postgres);

/** Starts a process with the recorder, writing its times to a file of its own. */
function recordTo(label: string): { file: string; nodeArgs: string[] } {
  const file = path.join(workDir, `times-${label}.json`);
  process.env.BURST_RECORD_FILE = file;
  return { file, nodeArgs: ['--import', recorder] };
}

async function startScript(name: string, args: string[], nodeArgs: string[] = []) {
  const process_ = startNode(path.join(repoRoot, 'bench/servers', name), {
    nodeArgs: ['--import', 'tsx', ...nodeArgs],
    args,
    cwd: repoRoot,
    logPath: path.join(workDir, `${name}.log`),
  });
  started.push(process_);
  return { process_, ready: await waitForReadyLine<{ url: string }>(process_, 20_000) };
}

// When this process's requests were handed to their sockets: a server cannot read faster than this.
let clientSends: number[] = [];
subscribe('http.client.request.start', () => clientSends.push(performance.now()));

/** One burst: `c` requests sent together; their TTFTs, and how long sending them all took. */
async function burst(arm: Arm): Promise<{ ttfts: number[]; sendSpreadMs: number }> {
  const spec = specFor(arm, 'Hello there', deltas, 20_000);
  clientSends = [];
  const results = await Promise.all(Array.from({ length: concurrency }, () => streamOnce(spec, false)));
  const failed = results.filter((result) => !result.ok);
  if (failed.length > 0) throw new Error(`${arm.name}: ${failed.length} failed (${failed[0]?.error})`);
  return {
    ttfts: results.map((result) => result.ttftMs ?? NaN),
    sendSpreadMs: Math.max(...clientSends) - Math.min(...clientSends),
  };
}

/** The recorded times, cut into bursts (a gap of 100 ms between arrivals separates two). */
function burstSpans(file: string): { perRequestUs: number[]; headsSpreadMs: number[] } {
  const times = JSON.parse(readFileSync(file, 'utf8')) as Record<
    'arrivals' | 'upstreamSends' | 'upstreamHeads',
    number[]
  >;
  const perRequestUs: number[] = [];
  const headsSpreadMs: number[] = [];
  const starts = times.arrivals.filter((at, index) => index === 0 || at - times.arrivals[index - 1]! > 100);
  starts.forEach((start, index) => {
    const end = starts[index + 1] ?? Infinity;
    const inBurst = (at: number) => at >= start && at < end;
    const sends = times.upstreamSends.filter(inBurst);
    const heads = times.upstreamHeads.filter(inBurst);
    // The measured rounds are the last ones (the pool's and the warm-up's bursts come first).
    if (index < starts.length - rounds || sends.length !== concurrency) return;
    perRequestUs.push(((Math.max(...sends) - start) / concurrency) * 1000);
    headsSpreadMs.push(Math.max(...heads) - Math.min(...heads));
  });
  return { perRequestUs, headsSpreadMs };
}

const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  ) ?? NaN;

try {
  const mock = await startScript('mock-upstream.ts', [String(ttftMs), '20', String(deltas), apiKey]);
  const proxyRecord = recordTo('E');
  const proxy = await startScript('pass-through-proxy.ts', [mock.ready.url], proxyRecord.nodeArgs);
  const appRecord = recordTo('B');
  const app = await startApp({
    repoRoot,
    workDir,
    label: 'probe',
    mockUrl: mock.ready.url,
    mockApiKey: apiKey,
    model: benchModel,
    databaseUrl: database?.url ?? null,
    nodeArgs: [
      ...appRecord.nodeArgs,
      ...(values.keep ? ['--cpu-prof', `--cpu-prof-dir=${path.join(workDir, 'profile')}`] : []),
    ],
  });
  apps.push(app);
  const appName = values.pglite ? 'B' : 'B-pg';
  const probed: Probed[] = [
    {
      arm: openAiArm('E', `${proxy.ready.url}/v1`, apiKey, proxy.process_.pid),
      recordFile: proxyRecord.file,
      ttfts: [],
      sendSpreadsMs: [],
      cpuSeconds: 0,
    },
    {
      arm: appArm(appName, { ...app, pid: app.started.pid }, false),
      recordFile: appRecord.file,
      ttfts: [],
      sendSpreadsMs: [],
      cpuSeconds: 0,
    },
  ];
  // One burst per arm to open the upstream pools, then the measured rounds, arms alternating.
  await burst(probed[0]!.arm);
  for (let round = 0; round < warmUpRounds + rounds; round++) {
    for (const entry of round % 2 === 0 ? probed : [...probed].reverse()) {
      const pid = entry.arm.pid as number;
      const before = cpuSeconds(pid);
      const { ttfts, sendSpreadMs } = await burst(entry.arm);
      if (round >= warmUpRounds) {
        entry.ttfts.push(...ttfts);
        entry.sendSpreadsMs.push(sendSpreadMs);
        entry.cpuSeconds += cpuSeconds(pid) - before;
      }
      await sleep(Number(values.pause));
    }
  }
  await app.close();
  for (const process_ of started) await stop(process_);
  for (const { arm, recordFile, ttfts, sendSpreadsMs, cpuSeconds: cpu } of probed) {
    if (!existsSync(recordFile)) throw new Error(`${arm.name}: no times recorded (${recordFile})`);
    const { perRequestUs, headsSpreadMs } = burstSpans(recordFile);
    const sorted = ttfts.map((ttft) => ttft - ttftMs).sort((a, b) => a - b);
    console.log(
      `${arm.name.padEnd(4)} c=${concurrency} bursts=${perRequestUs.length}: serial work per arriving request ` +
        `${median(perRequestUs).toFixed(0)} µs (range ${Math.min(...perRequestUs).toFixed(0)}–${Math.max(...perRequestUs).toFixed(0)}), ` +
        `(the client sent the burst in ${median(sendSpreadsMs).toFixed(1)} ms), upstream heads spread ${median(headsSpreadMs).toFixed(1)} ms | TTFT over the mock's ${ttftMs} ms: ` +
        `p50 ${(percentile(sorted, 50) ?? NaN).toFixed(2)} p99 ${(percentile(sorted, 99) ?? NaN).toFixed(2)} ms | ` +
        `CPU per stream ${((cpu / sorted.length) * 1e6).toFixed(0)} µs`,
    );
  }
} finally {
  for (const app of apps) await app.close();
  for (const process_ of started) await stop(process_);
  await database?.drop();
  if (values.keep) console.log(`kept ${workDir}`);
  else rmSync(workDir, { recursive: true, force: true });
}
