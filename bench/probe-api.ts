import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { startMockLlm } from '@app/mock-llm';
import { startApp } from './lib/app-instance.js';
import { benchModel } from './lib/arms.js';
import { createThrowAwayDatabase } from './lib/postgres-database.js';
import { machineInfo } from './lib/machine-info.js';
import { percentile } from './lib/stats.js';

/**
 * Issue 23: the TTFT of the chatbot API (POST /v1/chat/completions, bearer key, OpenAI's stream)
 * against the signed-in chat (POST /api/chatbots/:id/chat), in the same run, on the same app process
 * and mock, at c=1: each round sends one of each in alternating order. TTFT = client send → the
 * first content (the app's `event: delta`; the API's first chunk with `delta.content`). Then the
 * requests/s of GET /v1/models (autocannon, 10 connections).
 * `node --import tsx bench/probe-api.ts [--rounds 200] [--pglite] [--name <file>]`
 * (needs the production build: `npm run build -w server`).
 */
const { values } = parseArgs({
  options: {
    pglite: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '200' },
    postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    pause: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '10' },
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
const workDir = mkdtempSync(path.join(tmpdir(), 'probe-api-'));
const database = values.pglite ? null : await createThrowAwayDatabase(values.postgres);
const app = await startApp({
  repoRoot: path.resolve(import.meta.dirname, '..'),
  workDir,
  label: 'probe-api',
  mockUrl: mock.url,
  mockApiKey: 'probe-key',
  model: benchModel,
  databaseUrl: database?.url ?? null,
  // The probe measures latency, not the plan's rate: no plans file, a high default rate.
  env: { RATE_LIMIT_DEFAULT_PER_MINUTE: '1000000' },
});
const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });

async function createKey(): Promise<{ secret: string; slug: string }> {
  const response = await fetch(`${app.origin}/api/api-keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: app.origin, cookie: app.cookie },
    body: JSON.stringify({ name: 'probe', chatbotIds: null }),
  });
  if (response.status !== 201) throw new Error(`key: ${response.status} ${await response.text()}`);
  const { secret } = (await response.json()) as { secret: string };
  const models = await fetch(`${app.origin}/v1/models`, { headers: { authorization: `Bearer ${secret}` } });
  const slug = ((await models.json()) as { data: Array<{ id: string }> }).data[0]!.id;
  return { secret, slug };
}

/** One streamed request; ms from send to the first content. */
function turn(url: string, headers: Record<string, string>, body: string, marker: string): Promise<number> {
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
        let firstAt: number | null = null;
        response.on('data', (chunk: Buffer) => {
          if (firstAt === null && chunk.includes(marker)) firstAt = performance.now();
        });
        response.on('end', () => {
          if (firstAt === null) return reject(new Error(`no content (${response.statusCode})`));
          resolve(firstAt - sentAt);
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
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

const samples = { signedIn: [] as number[], api: [] as number[] };
try {
  const { secret, slug } = await createKey();
  const chatBody = JSON.stringify({ message: 'Hello there' });
  const apiBody = JSON.stringify({
    model: slug,
    stream: true,
    messages: [{ role: 'user', content: 'Hello there' }],
  });
  const arms = {
    signedIn: () =>
      turn(
        `${app.origin}/api/chatbots/${app.chatbotId}/chat`,
        { origin: app.origin, cookie: app.cookie },
        chatBody,
        'event: delta',
      ),
    api: () =>
      turn(
        `${app.origin}/v1/chat/completions`,
        { authorization: `Bearer ${secret}` },
        apiBody,
        '"delta":{"content":',
      ),
  };
  for (let round = 0; round < rounds + warmup; round++) {
    const order = round % 2 === 0 ? (['signedIn', 'api'] as const) : (['api', 'signedIn'] as const);
    for (const arm of order) {
      const ttft = await arms[arm]();
      if (round >= warmup) samples[arm].push(ttft);
      await new Promise((resolve) => setTimeout(resolve, Number(values.pause)));
    }
  }
  const models = await autocannon({
    url: `${app.origin}/v1/models`,
    connections: 10,
    duration: Number(values.seconds),
    headers: { authorization: `Bearer ${secret}` },
  });
  const result = {
    probe: 'probe-api',
    date: new Date().toISOString(),
    database: values.pglite ? 'pglite' : 'postgres',
    concurrency: 1,
    upstreamTtftMs: ttftMs,
    machine: machineInfo(),
    signedIn: stats(samples.signedIn),
    api: stats(samples.api),
    addedP50Ms: stats(samples.api).p50 - stats(samples.signedIn).p50,
    modelsList: {
      connections: 10,
      seconds: Number(values.seconds),
      requestsPerSecond: models.requests.average,
      latencyP50Ms: models.latency.p50,
      latencyP99Ms: models.latency.p99,
      non2xx: models.non2xx,
      errors: models.errors,
    },
  };
  console.log(
    `${result.database} c=1 n=${result.api.n}: signed-in TTFT p50 ${result.signedIn.p50.toFixed(2)} p99 ${result.signedIn.p99.toFixed(2)} | API p50 ${result.api.p50.toFixed(2)} p99 ${result.api.p99.toFixed(2)} ms | added p50 ${result.addedP50Ms.toFixed(2)} ms | GET /v1/models ${Math.round(result.modelsList.requestsPerSecond)} req/s (p50 ${result.modelsList.latencyP50Ms} ms, non-2xx ${result.modelsList.non2xx})`,
  );
  const dir = path.resolve(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${values.name || `${result.date.slice(0, 10)}-api-${result.database}`}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written ${path.relative(process.cwd(), file)}`);
} finally {
  agent.destroy();
  await app.close();
  await mock.close();
  await database?.drop();
  rmSync(workDir, { recursive: true, force: true });
}
