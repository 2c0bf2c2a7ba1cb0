import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggerOptions } from '../../src/http/logger-options.js';
import { createLlmBackend, type LlmBackend } from '../../src/llm/create-llm-backend.js';
import type { Database } from '../../src/db/database.js';
import { buildApp } from '../../src/app.js';
import { createAuth } from '../../src/auth/create-auth.js';
import { loadConfig } from '../../src/config/index.js';
import { startModelAccess } from '../../src/runtime/model-access.js';
import { as, buildTestApp, signUp, TEST_ORIGIN, type TestApp } from '../helpers/build-test-app.js';
import { createTestDatabase } from '../helpers/test-database.js';
import { sentinel, startHostileUpstream } from './hostile-upstream.js';
import {
  SECURITY_ENV,
  SENTINEL_AUTH_SECRET,
  SENTINEL_LLM_KEY,
  startSecurityApp,
  type SecurityApp,
} from './security-fixtures.js';

/** Every mock fault class (tools/mock-llm/README.md), as in-message markers. */
const FAULTS = [
  'status=500',
  'status=429,retryAfter=1',
  'status=503,retryAfterMs=20',
  'status=401',
  'status=403',
  'status=404',
  'error=auth',
  'error=rate_limit',
  'error=server',
  'error=unavailable',
  'error=bad_request',
  'error=context_length',
  'error=content_filter',
  'error=model_not_found',
  'error=model_not_found,status=400',
  'hang',
  'ttft=50',
  'stall-after=2',
  'cut-after=2',
  'reset-after=2',
  'malformed-after=2',
  'inband-error-after=2',
  'inband-error-after=2,error=auth',
  'oversized=100000',
  'no-usage',
  'deltas=3',
];

/** Everything the outside world (and the operator's disk) gets to see. */
class Observed {
  readonly logLines: string[] = [];
  readonly texts: string[] = [];
  readonly sink = new Writable({
    write: (chunk, _encoding, done) => {
      this.logLines.push(String(chunk));
      done();
    },
  });

  async response(response: Response): Promise<string> {
    const text = await response.text();
    this.texts.push(JSON.stringify([...response.headers]), text);
    return text;
  }

  /** `select *` from every table of the app's schema. */
  async tables(database: Database): Promise<number> {
    const names = await database.db.execute<{ table_name: string }>(
      sql`select table_name from information_schema.tables where table_schema = current_schema()`,
    );
    const rows = (names as unknown as { rows: Array<{ table_name: string }> }).rows;
    for (const { table_name: name } of rows) {
      const all = await database.db.execute(sql.raw(`select * from "${name}"`));
      this.texts.push(JSON.stringify((all as unknown as { rows: unknown[] }).rows));
    }
    return rows.length;
  }

  findings(secrets: string[]): string[] {
    return [...this.logLines.map((line) => `log: ${line}`), ...this.texts].flatMap((text) =>
      secrets
        .filter((secret) => text.includes(secret))
        .map((secret) => `${secret.slice(0, 12)}… in ${text.slice(0, 300)}`),
    );
  }
}

const SECRETS = [SENTINEL_LLM_KEY, SENTINEL_AUTH_SECRET];

describe('secrets never leak: logs, HTTP bodies, SSE events, database rows', () => {
  const observed = new Observed();
  let s: SecurityApp;
  let base: string;
  let cookie: string;
  let botId: string;

  beforeAll(async () => {
    s = await startSecurityApp({
      logger: pino({ ...loggerOptions('trace') }, observed.sink),
      timeoutMs: 1_500,
      env: { LOG_LEVEL: 'trace' },
    });
    base = await s.t.app.listen({ port: 0, host: '127.0.0.1' });
    cookie = await signUp(s.t.app, 'secret-keeper@example.com');
    botId = (
      await s.t.app.inject({
        method: 'POST',
        url: '/api/chatbots',
        headers: as(cookie),
        payload: { name: 'faulty', systemPrompt: 'be brief' },
      })
    ).json<{ id: string }>().id;
  });
  afterAll(() => s.close());

  const post = (path: string, body: unknown, accept: string) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { ...as(cookie), 'content-type': 'application/json', accept },
      body: JSON.stringify(body),
    });

  it('forces every upstream fault over SSE, JSON and prompt generation without exposing a key', async () => {
    const outcomes = new Map<string, 'error' | 'done'>();
    // A few at a time: faults that hang wait for the client timeout, and the machine is shared.
    for (let index = 0; index < FAULTS.length; index += 6) {
      await Promise.all(
        FAULTS.slice(index, index + 6).map(async (fault) => {
          const message = `question [[mock:${fault}]]`;
          const sse = await observed.response(
            await post(`/api/chatbots/${botId}/chat`, { message }, 'text/event-stream'),
          );
          await observed.response(await post(`/api/chatbots/${botId}/chat`, { message }, 'application/json'));
          await observed.response(
            await post('/api/prompts/generate', { description: `a helper ${message}` }, 'application/json'),
          );
          // Before any output an upstream error is a plain JSON error; after it, an SSE `error` event.
          const failed = /event: error/.test(sse) || sse.startsWith('{"error"');
          outcomes.set(fault, failed ? 'error' : 'done');
        }),
      );
    }
    expect(outcomes.size).toBe(FAULTS.length);
    // The faults really were faults: most turns ended in an error event.
    const errors = [...outcomes.values()].filter((outcome) => outcome === 'error').length;
    expect(errors).toBeGreaterThanOrEqual(18);
    expect(s.mock.requests.length).toBeGreaterThanOrEqual(FAULTS.length * 3);
    expect(
      s.mock.requests.every((request) => request.headers.authorization === `Bearer ${SENTINEL_LLM_KEY}`),
    ).toBe(true);
  });

  it('shows no key in reads, operations endpoints, logs or any database row', async () => {
    const conversations = (await (
      await fetch(`${base}/api/chatbots/${botId}/conversations?limit=100`, { headers: as(cookie) })
    ).json()) as { items: Array<{ id: string }> };
    for (const conversation of conversations.items) {
      await observed.response(
        await fetch(`${base}/api/conversations/${conversation.id}`, { headers: as(cookie) }),
      );
    }
    for (const path of [
      '/readyz',
      '/healthz',
      '/api/config',
      '/api/openapi.json',
      '/metrics',
      '/api/usage',
      '/api/me',
    ]) {
      await observed.response(await fetch(`${base}${path}`, { headers: as(cookie) }));
    }
    const tables = await observed.tables(s.t.database);
    expect(tables).toBeGreaterThanOrEqual(8);
    expect(observed.logLines.length).toBeGreaterThan(50);
    expect(observed.texts.filter((text) => text.includes('"code":"internal"'))).toEqual([]);
    expect(observed.findings(SECRETS)).toEqual([]);
  });
});

/**
 * An upstream that echoes the key it was sent (LiteLLM's "Received API Key = sk-…" and proxies that
 * reflect request headers in error bodies do): the app must not pass such text on.
 */
async function startEchoingUpstream() {
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const key = String(request.headers.authorization ?? '');
      const echo = `Authentication Error, Invalid proxy server token passed. Received API Key = ${key}; headers=${JSON.stringify(request.headers)}`;
      const error = { error: { message: echo, type: 'auth_error', param: key, code: '401' } };
      if (body.includes('[[echo:401]]')) return void response.writeHead(401, json).end(JSON.stringify(error));
      if (body.includes('[[echo:400]]')) return void response.writeHead(400, json).end(JSON.stringify(error));
      if (body.includes('[[echo:500]]')) return void response.writeHead(500, json).end(JSON.stringify(error));
      if (body.includes('[[echo:text]]'))
        return void response.writeHead(502, { 'content-type': 'text/plain' }).end(echo);
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = { id: 'x', object: 'chat.completion.chunk', created: 0, model: 'chat-default' };
      response.write(
        `data: ${JSON.stringify({ ...chunk, choices: [{ index: 0, delta: { content: 'partial ' } }] })}\n\n`,
      );
      response.end(`data: ${JSON.stringify(error)}\n\n`);
    });
  });
  const json = { 'content-type': 'application/json' };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('secrets never leak when the upstream echoes the key back', () => {
  const observed = new Observed();
  let upstream: Awaited<ReturnType<typeof startEchoingUpstream>>;
  let llm: LlmBackend;
  let t: TestApp;
  let base: string;
  let cookie: string;
  let botId: string;

  beforeAll(async () => {
    upstream = await startEchoingUpstream();
    llm = await createLlmBackend({
      baseUrl: upstream.url,
      apiKey: SENTINEL_LLM_KEY,
      modelChat: 'chat-default',
      timeoutMs: 2_000,
      keepAliveMs: 4_000,
      maxRetries: 0,
    });
    t = await buildTestApp({
      llm,
      env: { ...SECURITY_ENV, LLM_BASE_URL: upstream.url, LOG_LEVEL: 'trace' },
      logger: pino({ ...loggerOptions('trace') }, observed.sink),
    });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    cookie = await signUp(t.app, 'echo@example.com');
    botId = (
      await t.app.inject({
        method: 'POST',
        url: '/api/chatbots',
        headers: as(cookie),
        payload: { name: 'echo' },
      })
    ).json<{ id: string }>().id;
  });
  afterAll(async () => {
    await t.close();
    await llm.close();
    await upstream.close();
  });

  it('keeps an echoed key out of answers, SSE events, logs and rows', async () => {
    const post = (path: string, body: unknown, accept: string) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { ...as(cookie), 'content-type': 'application/json', accept },
        body: JSON.stringify(body),
      });
    for (const marker of [
      '[[echo:401]]',
      '[[echo:400]]',
      '[[echo:500]]',
      '[[echo:text]]',
      '[[echo:inband]]',
    ]) {
      for (const accept of ['text/event-stream', 'application/json']) {
        await observed.response(
          await post(`/api/chatbots/${botId}/chat`, { message: `hi ${marker}` }, accept),
        );
      }
      await observed.response(
        await post('/api/prompts/generate', { description: `a bot ${marker}` }, 'application/json'),
      );
    }
    const list = (await (
      await fetch(`${base}/api/chatbots/${botId}/conversations`, { headers: as(cookie) })
    ).json()) as {
      items: Array<{ id: string }>;
    };
    for (const item of list.items) {
      await observed.response(await fetch(`${base}/api/conversations/${item.id}`, { headers: as(cookie) }));
    }
    await observed.tables(t.database);
    expect(observed.texts.join('')).toContain('error');
    // A reply that is not a chat completion is an upstream error, not a crash of ours.
    expect(observed.texts.filter((text) => text.includes('"code":"internal"'))).toEqual([]);
    expect(observed.findings(SECRETS)).toEqual([]);
  });
});

/**
 * Issue 18 item 4: the key in LLM_BASE_URL's user info (`http://user:key@host/v1`), an upstream that
 * echoes it in bodies, headers and status texts, and discovery failing against it. The app is wired
 * as main.ts wires it (config → backend → catalog with the process logger → app), so the catalog's
 * lines and /readyz are what an operator and a prober would see.
 */
async function startLikeMain(env: Record<string, string>, sink: Writable) {
  const config = loadConfig({
    NODE_ENV: 'test',
    APP_URL: TEST_ORIGIN,
    LITELLM_CONFIG_PATH: '/nonexistent/litellm.yaml',
    RATE_LIMIT_SIGN_UPS_PER_HOUR: '100000',
    RATE_LIMIT_SIGN_INS_PER_MINUTE: '100000',
    LOG_LEVEL: 'trace',
    ...env,
  });
  const logger = pino(loggerOptions('trace'), sink);
  const database = await createTestDatabase();
  const llm = await createLlmBackend(config.llm);
  const auth = createAuth({
    db: database.db,
    secret: config.auth.secret!,
    baseUrl: config.server.appUrl,
    trustedOrigins: config.server.trustedOrigins,
    secureCookies: false,
  });
  const models = await startModelAccess(config, {
    info: (message) => logger.info(message),
    warn: (message) => logger.warn(message),
    error: (message) => logger.error(message),
  });
  const app = await buildApp({
    config,
    database,
    auth,
    llm,
    catalog: models.catalog,
    plans: models.plans,
    logger,
    spaDir: null,
    adminCliToken: null,
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    app,
    base,
    config,
    database,
    catalog: models.catalog,
    close: async () => {
      await app.close();
      await models.close();
      await llm.close();
      await database.close();
    },
  };
}

describe('secrets never leak when LLM_BASE_URL carries the key and the upstream throws it back', () => {
  const observed = new Observed();
  const urlKey = sentinel('url-password');
  const urlUser = sentinel('url-user');
  const authSecret = sentinel('auth-secret');
  const secrets = [urlKey, urlUser, authSecret];
  let upstream: Awaited<ReturnType<typeof startHostileUpstream>>;
  let s: Awaited<ReturnType<typeof startLikeMain>>;
  let cookie: string;
  let botId: string;

  beforeAll(async () => {
    upstream = await startHostileUpstream({ discovery: 'echo' });
    s = await startLikeMain(
      {
        LLM_BASE_URL: upstream.url(`${urlUser}:${urlKey}`),
        BETTER_AUTH_SECRET: authSecret,
        LLM_MODEL_CHAT: 'chat-default',
        LLM_MODEL_PROMPT_GEN: 'chat-default',
        LLM_MODELS_JSON: JSON.stringify([{ id: 'chat-default', hidden: false }]),
        LLM_BASELINE_MODELS: 'chat-default',
        LLM_MAX_RETRIES: '0',
        RATE_LIMIT_DEFAULT_PER_MINUTE: '100000',
      },
      observed.sink,
    );
    cookie = await signUp(s.app, 'url-key@example.com');
    botId = (
      await s.app.inject({
        method: 'POST',
        url: '/api/chatbots',
        headers: as(cookie),
        payload: { name: 'hostile', systemPrompt: 'be brief' },
      })
    ).json<{ id: string }>().id;
  });
  afterAll(async () => {
    await s?.close();
    await upstream?.close();
  });

  it('keeps the URL password (the key) out of /readyz, logs, answers, SSE events and rows', async () => {
    // Discovery ran at start and failed (401, then 500, both echoing): say so, without the key.
    const ready = await observed.response(await fetch(`${s.base}/readyz`));
    expect(ready).toContain('HTTP 401');
    expect(ready).toContain(`127.0.0.1:${upstream.port}`);

    const post = (path: string, body: unknown, accept: string) =>
      fetch(`${s.base}${path}`, {
        method: 'POST',
        headers: { ...as(cookie), 'content-type': 'application/json', accept },
        body: JSON.stringify(body),
      });
    for (const marker of ['401', '500', '429', 'text', 'inband', 'meta', 'ok'].map(
      (m) => `[[hostile:${m}]]`,
    )) {
      for (const accept of ['text/event-stream', 'application/json']) {
        await observed.response(
          await post(`/api/chatbots/${botId}/chat`, { message: `hi ${marker}` }, accept),
        );
      }
      await observed.response(
        await post('/api/prompts/generate', { description: `a bot ${marker}` }, 'application/json'),
      );
    }
    const list = (await (
      await fetch(`${s.base}/api/chatbots/${botId}/conversations`, { headers: as(cookie) })
    ).json()) as { items: Array<{ id: string }> };
    for (const item of list.items) {
      await observed.response(await fetch(`${s.base}/api/conversations/${item.id}`, { headers: as(cookie) }));
    }
    for (const path of ['/readyz', '/api/llm/models', '/api/config', '/metrics']) {
      await observed.response(await fetch(`${s.base}${path}`, { headers: as(cookie) }));
    }
    await observed.tables(s.database);

    // The password is the key: it went as a bearer token, never in a URL or as Basic auth.
    const chats = upstream.requests.filter((request) => request.method === 'POST');
    expect(chats.length).toBeGreaterThanOrEqual(21);
    expect(upstream.requests.every((request) => request.headers.authorization === `Bearer ${urlKey}`)).toBe(
      true,
    );
    expect(s.config.llm.baseUrl).toBe(`http://127.0.0.1:${upstream.port}/v1`);
    expect(observed.logLines.some((line) => line.includes('model discovery failed'))).toBe(true);
    expect(observed.texts.filter((text) => text.includes('"code":"internal"'))).toEqual([]);
    expect(observed.findings(secrets)).toEqual([]);
  });
});
