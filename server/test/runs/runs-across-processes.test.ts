import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm } from '@app/mock-llm';
import type { ConversationWithMessages } from '@app/common';
import { as, cookieHeader, TEST_ORIGIN } from '../helpers/build-test-app.js';
import { waitUntil } from '../faults/fault-rig.js';
import { LiveReader, openLive, postChat } from './live-reader.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const databaseServer = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;

/**
 * Issue 20's last proof: the deployment shape itself — two app PROCESSES (`server/src/main.ts`) on one
 * PostgreSQL database and one Redis. A run started on process A is re-attached from process B mid-answer,
 * and B's text is exactly what A stored. Runs in CI's PostgreSQL pass (TEST_DATABASE_URL and
 * TEST_REDIS_URL set); on PGlite alone two processes cannot share a database, so it is skipped.
 */
describe.skipIf(!databaseServer || !redisUrl)('a run re-attached across two app processes', () => {
  let mock: MockLlm;
  let databaseName: string;
  let databaseUrl: string;
  const processes: { child: ChildProcess; base: string; output: () => string; dir: string }[] = [];

  beforeAll(async () => {
    mock = await startMockLlm({ interTokenMs: 2 });
    databaseName = `test_${crypto.randomBytes(6).toString('hex')}`;
    await admin((client) => client.query(`create database ${databaseName}`));
    const url = new URL(databaseServer!);
    url.pathname = `/${databaseName}`;
    databaseUrl = url.toString();
    // One after the other: the first applies the migrations, the second finds them applied.
    processes.push(await startProcess('a'));
    processes.push(await startProcess('b'));
  }, 120_000);

  afterAll(async () => {
    for (const { child, dir } of processes) {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
    await mock?.close();
    if (databaseName)
      await admin((client) => client.query(`drop database if exists ${databaseName} with (force)`));
  });

  it('B continues A’s answer from the read’s seq: no gap, no duplicate, the stored text', async () => {
    const [a, b] = processes as [(typeof processes)[number], (typeof processes)[number]];
    const cookie = await signUpAndIn(a.base, `procs-${crypto.randomUUID()}@example.com`);
    const bot = await fetch(`${a.base}/api/chatbots`, {
      method: 'POST',
      headers: { ...as(cookie), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Across' }),
    });
    expect(bot.status).toBe(201);
    const chatbotId = ((await bot.json()) as { id: string }).id;

    // The tab on A goes away after a few deltas (a reload): the run goes on on A.
    const controller = new AbortController();
    const started = new LiveReader(
      await postChat(a.base, cookie, chatbotId, 'Long one [[mock:deltas=150,slow=10]]', {
        signal: controller.signal,
      }),
    );
    const meta = (await started.next('meta')).data as { conversationId: string; assistantMessageId: string };
    await started.until(() => started.events.filter((event) => event.event === 'delta').length >= 5);
    controller.abort();
    await started.cancel();

    // The reloaded page lands on B: it reads the conversation, then follows from the read's seq.
    const read = await fetch(`${b.base}/api/conversations/${meta.conversationId}`, { headers: as(cookie) });
    const conversation = (await read.json()) as ConversationWithMessages;
    expect(conversation.live).toMatchObject({ assistantMessageId: meta.assistantMessageId });
    const readText = conversation.messages.find((message) => message.id === meta.assistantMessageId)!.content;
    expect(readText.length).toBeGreaterThan(0);
    const live = await openLive(b.base, cookie, meta.conversationId, {
      after: conversation.live!.seq,
      assistantMessageId: meta.assistantMessageId,
    });
    expect((await live.next('meta')).data.seq).toBe(readText.length);
    expect((await live.end()).event).toBe('done');
    await live.cancel();

    // What B relayed joins the read exactly, and equals what A wrote when the run ended.
    const viewed = readText + live.textBetween(0, undefined, readText.length);
    let stored: ConversationWithMessages | undefined;
    await waitUntil(
      async () => {
        const again = await fetch(`${a.base}/api/conversations/${meta.conversationId}`, {
          headers: as(cookie),
        });
        stored = (await again.json()) as ConversationWithMessages;
        return stored.live === null;
      },
      10_000,
      'the run to be stored',
    );
    const answer = stored!.messages.find((message) => message.id === meta.assistantMessageId)!;
    expect(answer.status).toBe('complete');
    expect(viewed).toBe(answer.content);
  }, 60_000);

  async function startProcess(name: string) {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `runs-process-${name}-`));
    let output = '';
    const child = spawn(
      process.execPath,
      [
        '--import',
        pathToFileURL(path.join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href,
        path.join(repoRoot, 'server/src/main.ts'),
      ],
      {
        // A folder without .env: only the variables below count.
        cwd: dir,
        env: {
          PATH: process.env.PATH ?? '',
          NODE_ENV: 'test',
          HOST: '127.0.0.1',
          PORT: String(port),
          // One public address for both, as behind a load balancer: the session cookie and the
          // same-origin check hold on either process.
          APP_URL: TEST_ORIGIN,
          DATA_DIR: dir,
          DATABASE_URL: databaseUrl,
          REDIS_URL: redisUrl!,
          BETTER_AUTH_SECRET: 'test-secret-test-secret-test-secret-0123',
          LLM_BASE_URL: mock.url,
          LLM_API_KEY: 'sk-test',
          LLM_DISCOVERY: 'false',
          LITELLM_CONFIG_PATH: path.join(dir, 'no-litellm.yaml'),
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
      90_000,
      `process ${name} to start`,
    );
    expect(child.exitCode, output).toBeNull();
    return { child, base, output: () => output, dir };
  }
});

async function signUpAndIn(base: string, email: string): Promise<string> {
  const headers = { 'content-type': 'application/json', origin: TEST_ORIGIN };
  const password = 'correct horse battery';
  const up = await fetch(`${base}/api/auth/sign-up/email`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ email, password, name: 'P' }),
  });
  expect(up.status).toBe(200);
  const signIn = await fetch(`${base}/api/auth/sign-in/email`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ email, password }),
  });
  expect(signIn.status).toBe(200);
  return cookieHeader(signIn.headers.getSetCookie());
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseServer });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
