import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startMockLlm, type MockLlm } from '@app/mock-llm';
import { createDatabase } from '../../src/db/create-db.js';
import { messages } from '../../src/db/schema.js';
import { cookieHeader } from '../helpers/build-test-app.js';
import { SseReader } from '../chat/sse-client.js';
import { openRawStream } from './raw-http.js';
import { deltaText, waitUntil } from './fault-rig.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const GRACE_MS = 4000;
const STREAMS = 3;

/**
 * Issue 7 point 8: the real process (`server/src/main.ts`) with the mock upstream, SIGTERM during
 * active streams (one of them a client that stopped reading): readiness turns 503, new requests are
 * refused, every live answer is stored `interrupted` with its partial text, exit code 0 within the
 * grace period. The rows are read from the PGlite folder after the process is gone.
 */
describe('SIGTERM during active streams', () => {
  let mock: MockLlm;
  let dataDir: string;
  let child: ChildProcess;
  let output = '';
  let base: string;

  beforeAll(async () => {
    mock = await startMockLlm({ interTokenMs: 2 });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-shutdown-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(
      process.execPath,
      [
        '--import',
        pathToFileURL(path.join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href,
        path.join(repoRoot, 'server/src/main.ts'),
      ],
      {
        // A folder without .env: only the variables below count.
        cwd: dataDir,
        env: {
          PATH: process.env.PATH ?? '',
          NODE_ENV: 'test',
          HOST: '127.0.0.1',
          PORT: String(port),
          APP_URL: base,
          DATA_DIR: dataDir,
          LOG_LEVEL: 'info',
          BETTER_AUTH_SECRET: 'test-secret-test-secret-test-secret-0123',
          LLM_BASE_URL: mock.url,
          LLM_API_KEY: 'sk-test',
          LLM_DISCOVERY: 'false',
          LITELLM_CONFIG_PATH: path.join(dataDir, 'no-litellm.yaml'),
          SHUTDOWN_GRACE_MS: String(GRACE_MS),
          RATE_LIMIT_DEFAULT_PER_MINUTE: '100000',
          RATE_LIMIT_SIGN_UPS_PER_HOUR: '100000',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitUntil(
      () => output.includes('Chatbot Builder ready') || child.exitCode !== null,
      45_000,
      'start-up',
    );
    expect(child.exitCode, output).toBeNull();
  }, 60_000);

  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await mock.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('readiness 503, new requests refused, answers stored interrupted, exit 0 within the grace period', async () => {
    const json = { 'content-type': 'application/json', origin: base };
    const signUp = await fetch(`${base}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email: 'shutdown@example.com', password: 'correct horse battery', name: 'S' }),
    });
    expect(signUp.status).toBe(200);
    const signIn = await fetch(`${base}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email: 'shutdown@example.com', password: 'correct horse battery' }),
    });
    expect(signIn.status).toBe(200);
    const cookie = cookieHeader(signIn.headers.getSetCookie());
    const created = await fetch(`${base}/api/chatbots`, {
      method: 'POST',
      headers: { ...json, cookie },
      body: JSON.stringify({ name: 'Slow', systemPrompt: 'Be slow.' }),
    });
    expect(created.status).toBe(201);
    const chatbotId = ((await created.json()) as { id: string }).id;
    const chatPath = `/api/chatbots/${chatbotId}/chat`;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    // Streams that would run for 20 s, read until they are under way.
    const readers = await Promise.all(
      Array.from({ length: STREAMS }, async (_, index) => {
        const response = await fetch(`${base}${chatPath}`, {
          method: 'POST',
          headers: { ...json, cookie, accept: 'text/event-stream' },
          body: JSON.stringify({ message: `Stream ${index} [[mock:slow=50,deltas=400]]` }),
        });
        const reader = new SseReader(response);
        await reader.until('delta');
        return reader;
      }),
    );
    // And one client that stops reading once its answer began.
    const stuck = await openRawStream(base, chatPath, cookie, 'Stuck [[mock:slow=50,deltas=400]]', {
      origin: base,
    });
    await stuck.firstBody;
    stuck.socket.pause();
    // Requests whose head is not complete yet: they arrive during the shutdown.
    const lateReadiness = await partialRequest(base, 'GET /readyz HTTP/1.1\r\nHost: x\r\n');
    const lateChatBody = JSON.stringify({ message: 'Too late' });
    const lateChat = await partialRequest(
      base,
      `POST ${chatPath} HTTP/1.1\r\nHost: x\r\ncookie: ${cookie}\r\norigin: ${base}\r\n` +
        `content-type: application/json\r\ncontent-length: ${lateChatBody.length}\r\n`,
    );

    // Let the server read those heads first: on Node 26, server.close() also closes connections on
    // which it has not begun to read a request, and a fast shutdown would then cut these two before
    // they could finish (seen in CI when the streams ended within milliseconds of the signal).
    await sleep(100);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const signalledAt = performance.now();
    child.kill('SIGTERM');
    await waitUntil(() => output.includes('SIGTERM received'), 5000, 'the signal to be handled');

    const [readiness, chat] = await Promise.all([
      lateReadiness.finish('\r\n'),
      lateChat.finish(`\r\n${lateChatBody}`),
    ]);
    expect(readiness).toMatch(/^HTTP\/1\.1 503/);
    // Refused: a 503, or the connection closed without an answer once the server stopped.
    expect(chat === '' || /^HTTP\/1\.1 503/.test(chat), chat).toBe(true);

    const ended = await Promise.all(readers.map((reader) => reader.readAll()));
    for (const events of ended) {
      expect(events.at(-1)).toMatchObject({ event: 'error', data: { code: 'service_unavailable' } });
    }
    const code = await exited;
    const exitMs = performance.now() - signalledAt;
    stuck.socket.destroy();
    expect(code, output).toBe(0);
    expect(exitMs).toBeLessThan(GRACE_MS + 2000);
    // Nothing listens any more.
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();

    const database = await createDatabase({ kind: 'pglite', dataDir });
    try {
      const rows = await database.db.select().from(messages);
      const answers = rows.filter((row) => row.role === 'assistant');
      expect(answers).toHaveLength(STREAMS + 1);
      expect(answers.every((row) => row.status === 'interrupted')).toBe(true);
      for (const events of ended) {
        const meta = events[0]!.data as { userMessageId: string; assistantMessageId: string };
        const [answer] = await database.db
          .select()
          .from(messages)
          .where(eq(messages.id, meta.assistantMessageId));
        expect(answer).toMatchObject({ status: 'interrupted', content: deltaText(events) });
        expect(deltaText(events).length).toBeGreaterThan(0);
        const [question] = await database.db
          .select()
          .from(messages)
          .where(eq(messages.id, meta.userMessageId));
        expect(question?.role).toBe('user');
      }
      expect(rows.some((row) => row.content === 'Too late')).toBe(false);
    } finally {
      await database.close();
    }
  }, 60_000);
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A request sent all but its last bytes; `finish` sends them and returns the response head. */
async function partialRequest(base: string, head: string) {
  const url = new URL(base);
  const socket = net.connect(Number(url.port), url.hostname);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(head);
  let received = '';
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  socket.on('error', () => {});
  return {
    finish: async (rest: string) => {
      socket.write(rest);
      await Promise.race([closed, waitUntil(() => received.includes('\r\n\r\n'), 5000).catch(() => {})]);
      socket.destroy();
      return received;
    },
  };
}
