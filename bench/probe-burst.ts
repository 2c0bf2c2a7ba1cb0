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
import { profilesIn, summarizeProfile } from './report/cpu-profile.js';
import { streamOnce } from './client/stream-request.js';

/**
 * Where a burst's added TTFT goes, in the bare proxy (E), the same proxy as a Fastify route (F,
 * bench/servers/fastify-proxy.ts: what the framework adds) and the app (B-pg; B with --pglite).
 * Each round sends `c` chat requests at once to each arm in turn (the order alternates). Inside
 * each server, Node's own diagnostics channels (bench/lib/burst-recorder.mjs, loaded with --import:
 * no change to the server's code) time every chat request's arrival, every upstream request leaving
 * and every upstream answer's head. One event loop reads the requests one after another, so the
 * span from the first arrival to the last upstream request is serial work: divided by the burst's
 * size it is what each arriving request costs before the next one can be read, the figure that
 * sets the TTFT p99 of a burst. A development tool, not part of a run:
 *   node --import tsx bench/probe-burst.ts [--c 50] [--rounds 20] [--deltas 4] [--pause 250] [--pglite] [--profile]
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
    // Runs the app under the V8 profiler (its figures are then inflated) and prints where its CPU
    // went during the bursts' arrivals and during the upstream answers' heads.
    profile: { type: 'boolean', default: false },
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
const profileDir = path.join(workDir, 'profile');
const appName = values.pglite ? 'B' : 'B-pg';

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

/** How to start a server with the recorder, writing its times to a file of its own. */
function recordTo(label: string) {
  const file = path.join(workDir, `times-${label}.json`);
  return { file, nodeArgs: ['--import', recorder], env: { BURST_RECORD_FILE: file } };
}

async function startScript(name: string, args: string[], recording?: ReturnType<typeof recordTo>) {
  const process_ = startNode(path.join(repoRoot, 'bench/servers', name), {
    nodeArgs: ['--import', 'tsx', ...(recording?.nodeArgs ?? [])],
    env: recording?.env ?? {},
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

interface Recorded {
  arrivals: number[];
  upstreamSends: number[];
  upstreamHeads: number[];
  clock: { nowMs: number; monotonicUs: number };
}

interface Burst {
  /** First arrival → last upstream request leaving, ms of the server's `performance.now()`. */
  arrival: [number, number];
  /** First → last upstream answer's head. */
  heads: [number, number];
}

/** The measured bursts in a server's recorded times (a gap of 100 ms between arrivals separates two). */
function burstsOf(times: Recorded): Burst[] {
  const starts = times.arrivals.filter((at, index) => index === 0 || at - times.arrivals[index - 1]! > 100);
  const bursts: Burst[] = [];
  starts.forEach((start, index) => {
    const end = starts[index + 1] ?? Infinity;
    const inBurst = (at: number) => at >= start && at < end;
    const sends = times.upstreamSends.filter(inBurst);
    const heads = times.upstreamHeads.filter(inBurst);
    // The measured rounds are the last ones (the pool's and the warm-up's bursts come first).
    if (index < starts.length - rounds || sends.length !== concurrency) return;
    bursts.push({ arrival: [start, Math.max(...sends)], heads: [Math.min(...heads), Math.max(...heads)] });
  });
  return bursts;
}

/** Where the app's CPU went during the bursts' arrivals and during the upstream answers' heads. */
function profileWindows(times: Recorded, bursts: Burst[]): void {
  const [file] = profilesIn(profileDir);
  if (file === undefined) throw new Error(`no CPU profile in ${profileDir}`);
  const toMs = (monotonicUs: number) => times.clock.nowMs + (monotonicUs - times.clock.monotonicUs) / 1000;
  for (const window of ['arrival', 'heads'] as const) {
    const within = (monotonicUs: number) => {
      const at = toMs(monotonicUs);
      return bursts.some(({ [window]: [from, to] }) => at >= from - 0.2 && at <= to + 0.2);
    };
    const summary = summarizeProfile(file, 25, within);
    const sampled = summary.busyMs + summary.idleMs;
    const share = (ms: number) => `${((ms / sampled) * 100).toFixed(1)}%`;
    console.log(
      `\n${appName}, ${window === 'arrival' ? "the bursts' arrivals" : "the upstream answers' heads"}: ` +
        `${sampled.toFixed(0)} ms sampled, idle ${share(summary.idleMs)}; self time (share of the window):`,
    );
    for (const entry of summary.byPackage) console.log(`  ${share(entry.selfMs).padStart(6)}  ${entry.name}`);
    for (const entry of summary.topFunctions)
      console.log(`  ${share(entry.selfMs).padStart(6)}  ${entry.name} ${entry.where}`);
  }
}

const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  ) ?? NaN;

try {
  const mock = await startScript('mock-upstream.ts', [String(ttftMs), '20', String(deltas), apiKey]);
  const proxyRecord = recordTo('E');
  const proxy = await startScript('pass-through-proxy.ts', [mock.ready.url], proxyRecord);
  const fastifyRecord = recordTo('F');
  const fastifyProxy = await startScript('fastify-proxy.ts', [mock.ready.url], fastifyRecord);
  const appRecord = recordTo('B');
  const app = await startApp({
    repoRoot,
    workDir,
    label: 'probe',
    mockUrl: mock.ready.url,
    mockApiKey: apiKey,
    model: benchModel,
    databaseUrl: database?.url ?? null,
    env: appRecord.env,
    nodeArgs: [
      ...appRecord.nodeArgs,
      ...(values.profile ? ['--cpu-prof', '--cpu-prof-interval=100', `--cpu-prof-dir=${profileDir}`] : []),
    ],
  });
  apps.push(app);
  const probe = (arm: Arm, recordFile: string): Probed => ({
    arm,
    recordFile,
    ttfts: [],
    sendSpreadsMs: [],
    cpuSeconds: 0,
  });
  const probed = [
    probe(openAiArm('E', `${proxy.ready.url}/v1`, apiKey, proxy.process_.pid), proxyRecord.file),
    probe(
      openAiArm('F', `${fastifyProxy.ready.url}/v1`, apiKey, fastifyProxy.process_.pid),
      fastifyRecord.file,
    ),
    probe(appArm(appName, { ...app, pid: app.started.pid }, false), appRecord.file),
  ];
  // Warm-up rounds first (not counted), then the measured ones.
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
    const times = JSON.parse(readFileSync(recordFile, 'utf8')) as Recorded;
    const bursts = burstsOf(times);
    const perRequestUs = bursts.map(({ arrival: [from, to] }) => ((to - from) / concurrency) * 1000);
    const headsSpreadMs = bursts.map(({ heads: [from, to] }) => to - from);
    const sorted = ttfts.map((ttft) => ttft - ttftMs).sort((a, b) => a - b);
    console.log(
      `${arm.name.padEnd(4)} c=${concurrency} bursts=${perRequestUs.length}: serial work per arriving request ` +
        `${median(perRequestUs).toFixed(0)} µs (range ${Math.min(...perRequestUs).toFixed(0)}–${Math.max(...perRequestUs).toFixed(0)}), ` +
        `(the client sent the burst in ${median(sendSpreadsMs).toFixed(1)} ms), upstream heads spread ${median(headsSpreadMs).toFixed(1)} ms | TTFT over the mock's ${ttftMs} ms: ` +
        `p50 ${(percentile(sorted, 50) ?? NaN).toFixed(2)} p99 ${(percentile(sorted, 99) ?? NaN).toFixed(2)} ms | ` +
        `CPU per stream ${((cpu / sorted.length) * 1e6).toFixed(0)} µs`,
    );
    if (values.profile && arm.name === appName) profileWindows(times, bursts);
  }
} finally {
  for (const app of apps) await app.close();
  for (const process_ of started) await stop(process_);
  await database?.drop();
  rmSync(workDir, { recursive: true, force: true });
}
