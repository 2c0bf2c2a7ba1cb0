import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startMockLlm } from '@app/mock-llm';
import { startApp } from './lib/app-instance.js';
import { benchModel } from './lib/arms.js';
import { createThrowAwayDatabase } from './lib/postgres-database.js';
import { machineInfo } from './lib/machine-info.js';
import { percentile } from './lib/stats.js';

/**
 * Issue 22: the TTFT the public path adds against the signed-in chat, in the same run, on the same
 * app process and mock: each round sends one signed-in turn (cookie, POST /api/chatbots/:id/chat)
 * and one visitor turn (bearer visitor token, POST /api/public/bots/:slug/chat), in alternating
 * order, both starting a new conversation. TTFT = client send → the first `delta` event.
 * `node --import tsx bench/probe-public.ts [--rounds 200] [--pglite] [--name <file>]`
 * (needs the production build: `npm run build -w server`).
 */
const { values } = parseArgs({
  options: {
    pglite: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '200' },
    postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    pause: { type: 'string', default: '20' },
    name: { type: 'string', default: '' },
  },
});
const rounds = Number(values.rounds);
const ttftMs = 50;
const warmup = 10;

const mock = await startMockLlm({
  ttftMs,
  interTokenMs: 20,
  deltas: 4,
  apiKey: 'probe-key',
  answer: 'Probe tokens arrive one word at a time.',
  maxRecordedRequests: 0,
});
const workDir = mkdtempSync(path.join(tmpdir(), 'probe-public-'));
const database = values.pglite ? null : await createThrowAwayDatabase(values.postgres);
const app = await startApp({
  repoRoot: path.resolve(import.meta.dirname, '..'),
  workDir,
  label: 'probe-public',
  mockUrl: mock.url,
  mockApiKey: 'probe-key',
  model: benchModel,
  databaseUrl: database?.url ?? null,
});
const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
const slug = `bench-${process.pid}`;

async function publish(): Promise<string> {
  const response = await fetch(`${app.origin}/api/chatbots/${app.chatbotId}/publication`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', origin: app.origin, cookie: app.cookie },
    body: JSON.stringify({
      mode: 'link',
      slug,
      greeting: '',
      suggestions: [],
      appearance: { accent: '#2563eb', theme: 'auto', position: 'right', title: '', launcherIcon: 'chat' },
      allowedOrigins: [],
      limits: {
        messagesPerHour: 1_000_000,
        messagesPerDay: 1_000_000,
        concurrentAnswers: 20,
        monthlySpendCapUsd: 1_000_000,
        perIpPerHour: 1_000_000,
      },
      inGallery: false,
    }),
  });
  if (response.status !== 200) throw new Error(`publish: ${response.status} ${await response.text()}`);
  const visitor = await fetch(`${app.origin}/api/public/bots/${slug}/visitors`, { method: 'POST' });
  if (visitor.status !== 200) throw new Error(`visitor: ${visitor.status} ${await visitor.text()}`);
  return ((await visitor.json()) as { token: string }).token;
}

/** One turn; ms from send to the first delta. */
function turn(url: string, headers: Record<string, string>): Promise<number> {
  const body = JSON.stringify({ message: 'Hello there' });
  return new Promise((resolve, reject) => {
    const sentAt = performance.now();
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          accept: 'text/event-stream',
          ...headers,
        },
      },
      (response) => {
        let firstDeltaAt: number | null = null;
        response.on('data', (chunk: Buffer) => {
          if (firstDeltaAt === null && chunk.includes('event: delta')) firstDeltaAt = performance.now();
        });
        response.on('end', () => {
          if (firstDeltaAt === null) return reject(new Error(`no delta (${response.statusCode})`));
          resolve(firstDeltaAt - sentAt);
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const samples = { signedIn: [] as number[], public: [] as number[] };
try {
  const token = await publish();
  const arms = {
    signedIn: () =>
      turn(`${app.origin}/api/chatbots/${app.chatbotId}/chat`, { origin: app.origin, cookie: app.cookie }),
    public: () => turn(`${app.origin}/api/public/bots/${slug}/chat`, { authorization: `Bearer ${token}` }),
  };
  for (let round = 0; round < rounds + warmup; round++) {
    const order = round % 2 === 0 ? (['signedIn', 'public'] as const) : (['public', 'signedIn'] as const);
    for (const arm of order) {
      const ttft = await arms[arm]();
      if (round >= warmup) samples[arm].push(ttft);
      await new Promise((resolve) => setTimeout(resolve, Number(values.pause)));
    }
  }
  const stats = (list: number[]) => {
    const sorted = [...list].sort((a, b) => a - b);
    return {
      n: sorted.length,
      p50: percentile(sorted, 50)!,
      p90: percentile(sorted, 90)!,
      p99: percentile(sorted, 99)!,
    };
  };
  const result = {
    probe: 'probe-public',
    date: new Date().toISOString(),
    database: values.pglite ? 'pglite' : 'postgres',
    concurrency: 1,
    upstreamTtftMs: ttftMs,
    machine: machineInfo(),
    signedIn: stats(samples.signedIn),
    public: stats(samples.public),
    addedP50Ms: stats(samples.public).p50 - stats(samples.signedIn).p50,
  };
  console.log(
    `${result.database} c=1 n=${result.public.n}: signed-in TTFT p50 ${result.signedIn.p50.toFixed(2)} p99 ${result.signedIn.p99.toFixed(2)} | public p50 ${result.public.p50.toFixed(2)} p99 ${result.public.p99.toFixed(2)} ms | added p50 ${result.addedP50Ms.toFixed(2)} ms`,
  );
  const dir = path.resolve(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(
    dir,
    `${values.name || `${result.date.slice(0, 10)}-public-${result.database}`}.json`,
  );
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written ${path.relative(process.cwd(), file)}`);
} finally {
  agent.destroy();
  await app.close();
  await mock.close();
  await database?.drop();
  rmSync(workDir, { recursive: true, force: true });
}
