import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { pino, type Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import type { Database } from '../../src/db/database.js';
import { AppError } from '../../src/errors.js';
import { createLogger, loggerOptions, RequestLogController } from '../../src/http/logger-options.js';
import { healthRoutes } from '../../src/http/routes/health/health.routes.js';
import type { ChatStreamEvent } from '../../src/llm/client.js';
import { createLlmBackend } from '../../src/llm/create-llm-backend.js';
import { LlmError } from '../../src/llm/llm-errors.js';
import { containsSecret, redactSecrets, registerSecrets } from '../../src/logging/redact.js';
import { ModelCatalog } from '../../src/models/model-catalog.js';
import { waitFor } from '../chat/chat-fixtures.js';
import { FakeLlmClient } from '../helpers/fake-llm-client.js';
import { as, buildTestApp, signUp, type TestApp } from '../helpers/build-test-app.js';
import { createTestDatabase } from '../helpers/test-database.js';
import { sentinel, startHostileUpstream } from './hostile-upstream.js';

function capture(level = 'trace'): { lines: string[]; logger: Logger } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: pino(loggerOptions(level), sink) };
}

describe('redactSecrets', () => {
  const key = sentinel('registered');
  beforeAll(() => registerSecrets([key]));

  it('blanks a registered secret as given, JSON-escaped and percent-encoded', () => {
    const quoted = `${key}"\\x`;
    registerSecrets([quoted]);
    for (const text of [
      `Received API Key = ${key}.`,
      JSON.stringify({ message: `echo ${quoted}` }),
      `?key=${encodeURIComponent(quoted)}`,
    ]) {
      const redacted = redactSecrets(text);
      expect(redacted).toContain('[redacted]');
      expect(redacted).not.toContain(key);
    }
  });

  it('blanks the user info of any URL and a bearer token, whoever formatted them', () => {
    expect(redactSecrets('GET http://bob:hunter2@proxy:4000/v1/models: refused')).toBe(
      'GET http://[redacted]@proxy:4000/v1/models: refused',
    );
    expect(redactSecrets('"redis://:pw-123@cache:6379/0"')).toBe('"redis://[redacted]@cache:6379/0"');
    expect(redactSecrets('headers={"authorization":"Bearer abc.def-123456"}')).toBe(
      'headers={"authorization":"Bearer [redacted]"}',
    );
    // Ordinary text stays as it was: e-mail addresses, URLs without user info, the words.
    for (const text of [
      'signed up ann@example.com at http://localhost:3000/a?b=c@d',
      'a bearer token is required',
      'plan basic allows chat-default',
    ]) {
      expect(redactSecrets(text)).toBe(text);
    }
  });

  it('does not register short or word-like values (they would blank ordinary words)', () => {
    registerSecrets(['postgres', 'secret', 'abc12']);
    expect(redactSecrets('database: postgres (secret abc12)')).toBe('database: postgres (secret abc12)');
    expect(containsSecret(`model-${key}`)).toBe(true);
    expect(containsSecret('gpt-4o-mini')).toBe(false);
  });
});

describe('the process logger blanks secrets on every line', () => {
  const key = sentinel('logger');
  beforeAll(() => registerSecrets([key]));

  it('in messages, fields, error messages and stacks, and in the access log lines', () => {
    const { lines, logger } = capture();
    logger.info(`calling http://user:${key}@litellm:4000/v1`);
    logger.warn({ echoed: { body: `Received API Key = ${key}` } }, 'upstream said');
    logger.error({ err: new Error(`Request cannot be constructed from http://u:${key}@h/v1`) }, 'failed');
    logger.error(new LlmError('auth', 'rejected', { cause: new Error(`401 Received API Key = ${key}`) }));
    // The access log's success lines go through a child without path redaction: still blanked.
    const controller = new RequestLogController(logger);
    const request = {
      id: 'r1',
      method: 'GET',
      url: `/api/things/${key}`,
      ip: '127.0.0.1',
      log: logger.child({}),
    };
    controller.requestCompleted(null, request as never, { statusCode: 200, elapsedTime: 1 } as never);
    expect(lines).toHaveLength(5);
    expect(lines.filter((line) => line.includes(key))).toEqual([]);
    expect(lines.filter((line) => line.includes('[redacted]'))).toHaveLength(5);
  });

  it('in the process logger main.ts creates', async () => {
    const { execFile } = await import('node:child_process');
    const loggerModule = new URL('../../src/http/logger-options.ts', import.meta.url).pathname;
    const redactModule = new URL('../../src/logging/redact.ts', import.meta.url).pathname;
    const script = `
      const { createLogger } = await import(${JSON.stringify(loggerModule)});
      const { registerSecrets } = await import(${JSON.stringify(redactModule)});
      registerSecrets([${JSON.stringify(key)}]);
      const logger = createLogger('info');
      logger.warn('redis redis://:${key}@cache:6379 unreachable: WRONGPASS ${key}');
      logger.flush();`;
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], (error, out) =>
        error ? reject(error) : resolve(out),
      ),
    );
    expect(stdout).toContain('unreachable');
    expect(stdout).not.toContain(key);
    expect(createLogger).toBeTypeOf('function');
  });
});

describe('database errors are logged without the values of the failed statement (PGlite and pg)', () => {
  const answer = `private answer ${sentinel('answer')}`;
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());

  async function failedInsert(): Promise<unknown> {
    try {
      await database.db.execute(
        sql`insert into messages (id, conversation_id, role, content, status) values (${'m1'}, ${null}, ${'assistant'}, ${answer}, ${'complete'})`,
      );
    } catch (error) {
      return error;
    }
    throw new Error('the insert should have failed');
  }

  it('drops params, query and detail from the error, its causes and errors inside it', async () => {
    const error = await failedInsert();
    // What the driver gives: the answer in the message, the stack, `params` and (pg) `detail`.
    expect(`${(error as Error).message}${JSON.stringify(error)}`).toContain(answer);
    const { lines, logger } = capture();
    logger.error({ err: error }, 'direct');
    logger.error({ err: new AppError('internal', 'wrapped', { cause: error }) }, 'as a cause');
    logger.error({ err: new AggregateError([error], 'several') }, 'in an AggregateError');
    logger.error({ err: Object.assign(new Error('outer'), { inner: { failure: error } }) }, 'in a property');
    logger.error({ error }, 'under another key');
    expect(lines).toHaveLength(5);
    for (const line of lines) {
      expect(line).not.toContain('private answer');
      expect(line).not.toMatch(/"(params|query|detail)"/);
    }
    // What is needed to tell what failed stays: the statement and the constraint.
    const direct = JSON.parse(lines[0]!) as { err: { message: string; stack: string } };
    expect(direct.err.message).toContain('Failed query: insert into messages');
    expect(direct.err.message).toContain('conversation_id');
    expect(direct.err.stack).toContain('caused by:');
  });

  it('drops the quoted value of a data exception (SQLSTATE 22…)', async () => {
    let error: unknown;
    try {
      await database.db.execute(sql`select ${answer}::uuid`);
    } catch (caught) {
      error = caught;
    }
    const { lines, logger } = capture();
    logger.error({ err: error }, 'bad value');
    expect(lines[0]).toContain('invalid input syntax for type uuid');
    expect(lines[0]).not.toContain('private answer');
  });
});

describe('a chat turn whose final write fails logs no answer text', () => {
  const answerText = `the private answer ${sentinel('turn')}`;
  const { lines, logger } = capture('info');
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ llmClient: new FakeLlmClient({ defaultText: answerText }), logger });
  });
  afterAll(() => t.close());

  it('keeps the error line (it says what failed) without the answer', async () => {
    // Any write of this answer fails, as a full disk or a lost connection would.
    await t.database.db.execute(
      sql.raw(
        `alter table messages add constraint no_private_answer check (content not like '%private answer%') not valid`,
      ),
    );
    const cookie = await signUp(t.app, 'final-write@example.com');
    const bot = await t.app.inject({
      method: 'POST',
      url: '/api/chatbots',
      headers: as(cookie),
      payload: { name: 'writer' },
    });
    await t.app.inject({
      method: 'POST',
      url: `/api/chatbots/${bot.json<{ id: string }>().id}/chat`,
      headers: { ...as(cookie), accept: 'application/json' },
      payload: { message: 'hello' },
    });
    await waitFor(() => lines.some((line) => line.includes('could not save the end of a chat turn')), 8_000);
    const failures = lines.filter((line) => /saving a chat turn failed|could not save the end/.test(line));
    expect(failures.length).toBeGreaterThanOrEqual(2);
    expect(failures.join('\n')).toContain('no_private_answer');
    expect(lines.filter((line) => line.includes('private answer'))).toEqual([]);
  });
});

/** A TLS client speaking to this plain HTTP server fails its handshake. */
async function plainServer() {
  const server = http.createServer((_request, response) => response.end('plain'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('a credentialed LLM_BASE_URL on every failure path: discovery, /readyz, generate, stream', () => {
  const urlKey = sentinel('failure-key');
  const urlUser = sentinel('failure-user');
  let hostile: Awaited<ReturnType<typeof startHostileUpstream>>;
  let plain: Awaited<ReturnType<typeof plainServer>>;
  let closed: number;
  beforeAll(async () => {
    hostile = await startHostileUpstream({ discovery: 'echo' });
    plain = await plainServer();
    closed = await closedPort();
  });
  afterAll(async () => {
    await hostile.close();
    await plain.close();
  });

  const userInfo = `${urlUser}:${urlKey}`;
  const cases: Record<string, () => [string, RegExp]> = {
    'an unreachable host': () => [`http://${userInfo}@127.0.0.1:${closed}/v1`, /ECONNREFUSED/],
    'a DNS failure': () => [`http://${userInfo}@no-such-host.invalid/v1`, /ENOTFOUND/],
    'a TLS error': () => [`https://${userInfo}@127.0.0.1:${plain.port}/v1`, /fetch failed \(.*SSL/],
    'a 401 and a 500 that echo the key': () => [hostile.url(userInfo), /HTTP 401; .*HTTP 500/],
  };

  it.each(Object.keys(cases))('%s', async (name) => {
    const [llmBaseUrl, reason] = cases[name]!();
    const config = loadConfig({
      NODE_ENV: 'test',
      LLM_BASE_URL: llmBaseUrl,
      LLM_MODEL_CHAT: 'chat-default',
      LITELLM_CONFIG_PATH: '/nonexistent/litellm.yaml',
      LLM_MAX_RETRIES: '0',
      LLM_TIMEOUT_MS: '3000',
    });
    const { lines, logger } = capture();
    const catalog = new ModelCatalog({
      mode: config.llm.mode,
      chatModel: config.llm.modelChat,
      promptModel: config.llm.modelPromptGen,
      discovery: { baseUrl: config.llm.baseUrl!, apiKey: config.llm.apiKey ?? undefined, ttlMs: 60_000 },
      logger: {
        info: (message) => logger.info(message),
        warn: (message) => logger.warn(message),
        error: (message) => logger.error(message),
      },
    });
    await catalog.start();
    const llm = await createLlmBackend(config.llm);
    const app = Fastify({ loggerInstance: logger });
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    await app.register(healthRoutes, {
      probe: {
        database: async () => {},
        llm: () => ({ mode: llm.mode, endpoint: llm.endpoint, catalog: catalog.status() }),
        shuttingDown: () => false,
      },
    });
    try {
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      const status = catalog.status();
      // The failure is described (what and why), without the credentials.
      expect(status.discovery).toBe('unreachable');
      expect(status.error).toMatch(reason);
      expect(ready.body).toContain(JSON.stringify(status.error).slice(1, -1));

      // The LLM calls fail as they should; their errors, logged whole, carry no credentials either.
      const failures: unknown[] = [];
      await llm.client.generate([{ role: 'user', content: 'hi [[hostile:401]]' }]).catch((error: unknown) => {
        failures.push(error);
      });
      const events: ChatStreamEvent[] = [];
      for await (const event of llm.client.chatStream([{ role: 'user', content: 'hi [[hostile:500]]' }]))
        events.push(event);
      const streamed = events.at(-1);
      if (streamed?.type === 'error') failures.push(streamed.error);
      expect(failures).toHaveLength(2);
      for (const failure of failures) {
        expect(failure).toBeInstanceOf(LlmError);
        expect((failure as LlmError).message).not.toContain(urlKey);
        logger.error({ err: failure }, 'llm call failed');
      }
      const seen = [...lines, ready.body, JSON.stringify(status)].join('\n');
      expect(lines.some((line) => line.includes('model discovery failed'))).toBe(true);
      expect(seen).not.toContain(urlKey);
      expect(seen).not.toContain(urlUser);
    } finally {
      await app.close();
      await llm.close();
      await catalog.close();
    }
  });
});
