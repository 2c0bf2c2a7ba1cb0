import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startMockLlm } from '@app/mock-llm';
import { startApp } from './lib/app-instance.js';
import { benchModel } from './lib/arms.js';
import { createThrowAwayDatabase } from './lib/postgres-database.js';
import { cpuSeconds } from './lib/processes.js';
import { percentile } from './lib/stats.js';
import { profilesIn, summarizeProfile } from './report/cpu-profile.js';

/**
 * Where the app's added TTFT goes: the mock runs in this process, so the moment it receives the
 * upstream request is on the client's clock. "before" = client send → upstream request arrives (auth,
 * checks, DB reads, SDK); "after" = the mock's first delta → the client has it (relay). Not part of
 * the measured run: a development tool (`node --import tsx bench/probe-turn.ts [--pglite] [--c 50] [--pause 4500]`).
 */
const { values } = parseArgs({
  options: {
    pglite: { type: 'boolean', default: false },
    c: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '30' },
    deltas: { type: 'string', default: '4' },
    postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    profile: { type: 'boolean', default: false },
    // Idle ms between rounds: the measured run interleaves its arms, so the app idles ≈ 4 s between
    // turns at c=1 (idle upstream sockets closed, caches of the CPU cold).
    pause: { type: 'string', default: '0' },
  },
});
const concurrency = Number(values.c);
const rounds = Number(values.rounds);
const ttftMs = 50;

const mock = await startMockLlm({
  ttftMs,
  interTokenMs: 20,
  deltas: Number(values.deltas),
  apiKey: 'probe-key',
  answer: 'Probe tokens arrive one word at a time.',
  maxRecordedRequests: 100_000,
});
const profileDir = path.join(tmpdir(), `probe-turn-profile-${process.pid}`);
const workDir = mkdtempSync(path.join(tmpdir(), 'probe-turn-'));
const database = values.pglite ? null : await createThrowAwayDatabase(values.postgres);
const app = await startApp({
  repoRoot: path.resolve(import.meta.dirname, '..'),
  workDir,
  label: 'probe',
  mockUrl: mock.url,
  mockApiKey: 'probe-key',
  model: benchModel,
  databaseUrl: database?.url ?? null,
  nodeArgs: values.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [],
});
const agent = new http.Agent({ keepAlive: true, maxSockets: 1000 });

interface Sample {
  before: number;
  after: number;
  ttft: number;
}

function turn(): Promise<Sample> {
  const url = new URL(`${app.origin}/api/chatbots/${app.chatbotId}/chat`);
  const body = JSON.stringify({ message: 'Hello there' });
  return new Promise((resolve, reject) => {
    const sentAt = performance.now();
    const seen = mock.requests.length;
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          accept: 'text/event-stream',
          origin: app.origin,
          cookie: app.cookie,
        },
      },
      (response) => {
        let firstDeltaAt: number | null = null;
        response.on('data', (chunk: Buffer) => {
          if (firstDeltaAt === null && chunk.includes('event: delta')) firstDeltaAt = performance.now();
        });
        response.on('end', () => {
          const upstream = mock.requests
            .slice(seen)
            .find((recorded) => recorded.at >= sentAt && recorded.path.includes('chat'));
          if (firstDeltaAt === null || !upstream)
            return reject(new Error(`no delta (${response.statusCode})`));
          resolve({
            before: upstream.at - sentAt,
            after: firstDeltaAt - (upstream.at + ttftMs),
            ttft: firstDeltaAt - sentAt,
          });
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const samples: Sample[] = [];
let appCpuSeconds = 0;
try {
  for (let round = 0; round < rounds + 3; round++) {
    const cpuBefore = cpuSeconds(app.started.pid);
    const batch = await Promise.all(Array.from({ length: concurrency }, () => turn()));
    if (round >= 3) {
      samples.push(...batch);
      appCpuSeconds += cpuSeconds(app.started.pid) - cpuBefore;
    }
    if (Number(values.pause) > 0) await new Promise((resolve) => setTimeout(resolve, Number(values.pause)));
  }
  const show = (name: keyof Sample) => {
    const sorted = samples.map((sample) => sample[name]).sort((a, b) => a - b);
    return `${name} p50 ${(percentile(sorted, 50) ?? NaN).toFixed(2)} p99 ${(percentile(sorted, 99) ?? NaN).toFixed(2)}`;
  };
  console.log(
    `${values.pglite ? 'PGlite' : 'PostgreSQL'} c=${concurrency} n=${samples.length}: ${show('before')} | ${show('after')} | ${show('ttft')} ms | app CPU per turn ${((appCpuSeconds / samples.length) * 1e6).toFixed(0)} µs`,
  );
} finally {
  agent.destroy();
  await app.close();
  await mock.close();
  await database?.drop();
  for (const file of values.profile ? profilesIn(profileDir) : []) {
    console.log(JSON.stringify(summarizeProfile(file, 40), null, 1));
  }
  if (process.env.PROBE_KEEP) console.log(`kept ${workDir}`);
  else rmSync(workDir, { recursive: true, force: true });
}
