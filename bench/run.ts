import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { startApp, type AppInstance } from './lib/app-instance.js';
import { appArm, benchModel, openAiArm, specFor, type Arm } from './lib/arms.js';
import { readOptions } from './lib/bench-options.js';
import { LoadClient } from './lib/load-client-handle.js';
import { machineInfo } from './lib/machine-info.js';
import {
  commitChannel,
  createThrowAwayDatabase,
  installCommitProbe,
  type ThrowAwayDatabase,
} from './lib/postgres-database.js';
import { startNode, stop, waitForReadyLine, type Started } from './lib/processes.js';
import { seededRandom } from './lib/stats.js';
import { runLadder, type LadderResult } from './phases/ladder-phase.js';
import { latencyMessage, runLatencyLevel, type LatencyLevel } from './phases/latency-phase.js';
import { runThroughput, type ThroughputResult, type ThroughputTarget } from './phases/models-phase.js';
import type { BenchResult } from './report/bench-result.js';
import { profilesIn, summarizeProfile } from './report/cpu-profile.js';
import { renderMarkdown } from './report/markdown.js';
import { checkTargets, modelsName } from './report/targets.js';
import { harnessWarnings, usedProcessWarnings } from './report/warnings.js';

/**
 * `npm run bench [-- --quick]`: the side-by-side benchmark of issue 8. Every process under test (mock,
 * proxy, app, hello-world) and the load generator run separately; this process only orchestrates.
 */

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const options = readOptions(process.argv.slice(2));
const startedAt = new Date();
const stamp = startedAt.toISOString().replace(/[:.]/g, '-').slice(0, 19);
const workDir = path.join(repoRoot, 'bench/results/tmp', stamp);
mkdirSync(workDir, { recursive: true });
const log = (line: string) => console.log(line);
const elapsedS = () => (Date.now() - startedAt.getTime()) / 1000;

const wallLimitMs = options.quick ? 120_000 : 20 * 60_000;
const started: Started[] = [];
const apps: AppInstance[] = [];
let database: ThrowAwayDatabase | null = null;
let client: LoadClient | null = null;

async function cleanUp() {
  await client?.close().catch(() => {});
  for (const app of apps) await app.close().catch(() => {});
  for (const process_ of started) await stop(process_).catch(() => {});
  await database?.drop().catch((error: unknown) => log(`could not drop ${database?.name}: ${String(error)}`));
  // The embedded database of arm B is hundreds of MiB: keep the logs, not the data.
  for (const entry of readdirSync(workDir)) {
    if (entry.startsWith('data-')) rmSync(path.join(workDir, entry), { recursive: true, force: true });
  }
}

const guard = setTimeout(() => {
  console.error(`bench: wall-time limit of ${wallLimitMs / 1000} s reached; stopping`);
  void cleanUp().finally(() => process.exit(2));
}, wallLimitMs);
guard.unref();

async function startScript(
  name: string,
  args: string[],
): Promise<{ process_: Started; ready: Record<string, string> }> {
  const process_ = startNode(path.join(repoRoot, 'bench/servers', name), {
    nodeArgs: ['--import', 'tsx'],
    args,
    cwd: repoRoot,
    logPath: path.join(workDir, `${name.replace(/\.ts$/, '')}.log`),
  });
  started.push(process_);
  return { process_, ready: await waitForReadyLine<Record<string, string>>(process_, 20_000) };
}

/** One request through an arm before measuring: an arm that cannot stream is left out, with a note. */
async function canStream(arm: Arm, expectedDeltas: number): Promise<string | null> {
  const spec = specFor(arm, latencyMessage, expectedDeltas, 20_000);
  const response = await fetch(spec.url, { method: 'POST', headers: spec.headers, body: spec.body });
  const text = await response.text();
  if (response.status !== 200) return `HTTP ${response.status}: ${text.slice(0, 200)}`;
  return null;
}

async function main(): Promise<void> {
  const machine = machineInfo();
  log(
    `bench ${options.name}: ${machine.cores} cores, Node ${machine.node}, load average ${machine.loadAverage.join(' ')}`,
  );
  if (options.build) {
    log('building the server (npm run build -w server)…');
    execFileSync('npm', ['run', 'build', '-w', 'server'], { cwd: repoRoot, stdio: 'inherit' });
  }
  const notes: string[] = [];
  const apiKey = `sk-bench-${randomBytes(12).toString('hex')}`;
  const { mock } = options;
  const mockProcess = await startScript('mock-upstream.ts', [
    String(mock.ttftMs),
    String(mock.pacingMs),
    String(mock.deltas),
    apiKey,
  ]);
  const mockUrl = mockProcess.ready.url as string;
  const proxy = await startScript('pass-through-proxy.ts', [new URL(mockUrl).origin]);
  const hello = await startScript('hello-world.ts', []);
  client = LoadClient.start();

  const arms: Arm[] = [
    openAiArm('A', mockUrl, apiKey, null),
    openAiArm('E', `${proxy.ready.url}/v1`, apiKey, proxy.process_.pid),
  ];
  const armNames: Record<string, string> = {
    A: 'mock direct',
    E: 'bare node:http pass-through proxy',
  };
  const appOptions = { repoRoot, workDir, mockUrl, mockApiKey: apiKey, model: benchModel };
  const profileDir = (label: string) => path.join(workDir, `profile-${label}`);
  const profiled = (label: string) =>
    options.profile ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir(label)}`] } : {};
  if (options.profile)
    notes.push('--profile run: the app ran under the V8 profiler, so its figures are inflated');
  // `label` and `databaseUrl` start the arm's app again (the requests/s phase's fresh process).
  const appArms: { arm: Arm; app: AppInstance; label: string; databaseUrl: string | null }[] = [];
  const pglite = await startApp({ ...appOptions, ...profiled('pglite'), label: 'pglite', databaseUrl: null });
  apps.push(pglite);
  appArms.push({
    arm: appArm('B', { ...pglite, pid: pglite.started.pid }, false),
    app: pglite,
    label: 'pglite',
    databaseUrl: null,
  });
  armNames.B = 'the app, production build, embedded PGlite';
  let postgresArm: string | null = null;
  if (options.postgresAdminUrl) {
    try {
      database = await createThrowAwayDatabase(options.postgresAdminUrl);
      const onPostgres = await startApp({
        ...appOptions,
        ...profiled('postgres'),
        label: 'postgres',
        databaseUrl: database.url,
      });
      apps.push(onPostgres);
      const probe = await installCommitProbe(database.url);
      if (probe) await client.listen(database.url, commitChannel);
      else notes.push('no `messages` table in the app yet: last token → commit not measured');
      appArms.push({
        arm: appArm('B-pg', { ...onPostgres, pid: onPostgres.started.pid }, probe),
        app: onPostgres,
        label: 'postgres',
        databaseUrl: database.url,
      });
      armNames['B-pg'] = 'the app, production build, PostgreSQL';
      postgresArm = 'B-pg';
    } catch (error) {
      notes.push(`PostgreSQL arm skipped: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  for (const { arm } of appArms) {
    const problem = await canStream(arm, mock.deltas);
    if (problem) notes.push(`arm ${arm.name} left out of the streaming phases: ${problem}`);
    else arms.push(arm);
  }
  const random = seededRandom(options.seed);
  const streamTimeoutMs = mock.ttftMs + mock.deltas * mock.pacingMs * 5 + 10_000;

  const latency: LatencyLevel[] = [];
  for (const concurrency of options.latency.concurrency) {
    log(
      `latency at concurrency ${concurrency} (${options.latency.rounds[concurrency]} rounds × ${arms.length} arms)…`,
    );
    latency.push(
      await runLatencyLevel(
        client,
        arms,
        {
          concurrency,
          rounds: options.latency.rounds[concurrency] ?? 1,
          warmupRounds: concurrency === 1 ? options.latency.warmupRounds : 1,
          expectedDeltas: mock.deltas,
          streamTimeoutMs,
          mockPid: mockProcess.process_.pid,
          random,
        },
        log,
      ),
    );
  }

  const ladders: LadderResult[] = [];
  for (const arm of arms) {
    log(`concurrency ladder for ${arm.name}…`);
    ladders.push(
      await runLadder(
        client,
        arm,
        {
          ...options.ladder,
          pacingMs: mock.pacingMs,
          ttftMs: mock.ttftMs,
          mockPid: mockProcess.process_.pid,
        },
        log,
      ),
    );
  }

  // The target compares a fresh app process with a fresh hello-world: a process that ran the
  // streaming phases (and the ladder's overloaded rungs) serves this endpoint more slowly for minutes
  // after (docs/performance.md), which is measured too, beside it, but is not the same question.
  log('fresh app instances for requests/s…');
  const freshApps: { arm: Arm; app: AppInstance }[] = [];
  for (const { arm, label, databaseUrl } of appArms) {
    const fresh = await startApp({ ...appOptions, label: `${label}-fresh`, databaseUrl });
    apps.push(fresh);
    freshApps.push({ arm, app: fresh });
  }
  log('requests/s with autocannon…');
  const modelsTarget = (name: string, app: AppInstance): ThroughputTarget => ({
    name,
    url: `${app.origin}/api/llm/models`,
    headers: { cookie: app.cookie },
    pid: app.started.pid,
  });
  const targets: ThroughputTarget[] = [
    {
      name: 'node:http (load-generator ceiling)',
      url: hello.ready.raw as string,
      headers: {},
      pid: hello.process_.pid,
    },
    { name: 'fastify hello-world', url: hello.ready.fastify as string, headers: {}, pid: hello.process_.pid },
    ...freshApps.map(({ arm, app }) => modelsTarget(modelsName(arm.name), app)),
    ...appArms.map(({ arm, app }) => modelsTarget(modelsName(arm.name, 'used'), app)),
  ];
  const throughput: ThroughputResult[] = await runThroughput(client, targets, options.models, log);

  const appArmNames = appArms.map(({ arm }) => arm.name);
  const profiles: BenchResult['profiles'] = {};
  if (options.profile) {
    // The profile is written when the process exits: stop the apps first.
    for (const { arm, app, label } of appArms) {
      await app.close();
      const file = profilesIn(profileDir(label))[0];
      if (file) profiles[arm.name] = summarizeProfile(file);
    }
  }
  const result: BenchResult = {
    name: options.name,
    startedAt: startedAt.toISOString(),
    durationS: elapsedS(),
    quick: options.quick,
    seed: options.seed,
    machine,
    settings: {
      mock,
      arms: armNames,
      ladder: options.ladder,
      models: {
        connections: options.models.connections,
        durationS: options.models.durationS,
        rounds: options.models.rounds,
      },
    },
    latency,
    ladders,
    throughput,
    profiles,
    targets: checkTargets(latency, ladders, throughput, appArmNames, postgresArm),
    warnings: [
      ...harnessWarnings(latency, ladders, throughput, machine.loadAverage[0] ?? 0, machine.cores),
      ...usedProcessWarnings(throughput, appArmNames),
    ],
    notes,
  };
  // A smoke run's figures are not results: they stay beside its logs (git-ignored).
  const resultsDir = options.quick ? workDir : path.join(repoRoot, 'bench/results');
  const jsonPath = path.join(resultsDir, `${startedAt.toISOString().slice(0, 10)}-${options.name}.json`);
  // Formatted as the repo's `prettier --check .` expects, so committed results pass the lint gate.
  const style = (await resolveConfig(jsonPath)) ?? {};
  writeFileSync(jsonPath, await format(JSON.stringify(result), { ...style, filepath: jsonPath }));
  const markdown = await format(renderMarkdown(result), { ...style, parser: 'markdown' });
  const markdownPath = path.join(resultsDir, 'latest.md');
  writeFileSync(markdownPath, markdown);
  log(`\n${markdown}`);
  for (const check of result.targets) {
    const verdict = check.pass === null ? 'NOT MEASURED' : check.pass ? 'PASS' : 'FAIL';
    log(`${verdict.padEnd(12)} ${check.arm.padEnd(5)} ${check.target}`);
  }
  log(
    `\nwrote ${path.relative(repoRoot, jsonPath)} and ${path.relative(repoRoot, markdownPath)} in ${Math.round(elapsedS())} s`,
  );
  if (options.strict && result.targets.some((check) => check.pass === false)) process.exitCode = 1;
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
} finally {
  await cleanUp();
  clearTimeout(guard);
}
