import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggerOptions } from '../../src/http/logger-options.js';
import { buildTestApp, signUp, TEST_ORIGIN, type TestApp } from '../helpers/build-test-app.js';
import { rawRequest } from '../helpers/raw-request.js';

/**
 * Audit issue 18, item 1: which address the per-IP limits count and the request log shows. It used
 * to be the left-most X-Forwarded-For entry whenever NODE_ENV=production, which the client writes, so
 * rotating that header gave unlimited guesses and forged the logged address. Now TRUST_PROXY says how
 * many hops (or which addresses) are proxies. Over real HTTP; every socket comes from its own
 * loopback address (127.0.x.y), the "proxy" or the client the app sees. NODE_ENV=production
 * throughout: the old coupling lived there.
 */
const SIGN_INS_PER_MINUTE = 3;
const PASSWORD = 'correct horse battery';
const VICTIM = 'victim@example.com';

interface Started {
  t: TestApp;
  base: string;
  /** The `remoteAddress` of each finished sign-in's log line since the set-up, in order. */
  loggedAddresses(): string[];
}

async function start(env: Record<string, string>): Promise<Started> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const t = await buildTestApp({
    env: { NODE_ENV: 'production', RATE_LIMIT_SIGN_INS_PER_MINUTE: String(SIGN_INS_PER_MINUTE), ...env },
    logger: pino({ ...loggerOptions('info') }, sink),
  });
  const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  await signUp(t.app, VICTIM, PASSWORD);
  const setUp = lines.length; // the sign-up (and what the helper does) came through inject
  return {
    t,
    base,
    loggedAddresses: () =>
      lines
        .slice(setUp)
        .flatMap((line) => line.split('\n'))
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { msg?: string; url?: string; remoteAddress?: string })
        .filter((line) => line.msg === 'request completed' && line.url === '/api/auth/sign-in/email')
        .map((line) => line.remoteAddress ?? ''),
  };
}

/** A sign-in with a wrong password from socket address `from`, optionally with X-Forwarded-For. */
const guess = (app: Started, from: string, forwardedFor?: string) =>
  rawRequest(app.base, {
    method: 'POST',
    target: '/api/auth/sign-in/email',
    localAddress: from,
    headers: {
      origin: TEST_ORIGIN,
      'content-type': 'application/json',
      ...(forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }),
    },
    body: JSON.stringify({ email: VICTIM, password: 'wrong password!' }),
  }).then((response) => response.status);

describe('client address without TRUST_PROXY (the default, production included)', () => {
  let app: Started;
  beforeAll(async () => {
    app = await start({});
  });
  afterAll(() => app.t.close());

  it('a rotating X-Forwarded-For does not escape the per-IP sign-in limit, and is not what is logged', async () => {
    const statuses: number[] = [];
    for (let attempt = 1; attempt <= SIGN_INS_PER_MINUTE + 2; attempt += 1) {
      statuses.push(await guess(app, '127.0.20.1', `198.51.100.${attempt}`));
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect(app.loggedAddresses()).toEqual(Array(5).fill('127.0.20.1'));
    // Another socket address is another client.
    expect(await guess(app, '127.0.20.2', '198.51.100.1')).toBe(401);
  });
});

describe('TRUST_PROXY=1 (one proxy in front, as the shipped nginx)', () => {
  let app: Started;
  beforeAll(async () => {
    app = await start({ TRUST_PROXY: '1' });
  });
  afterAll(() => app.t.close());

  it('counts and logs the right-most X-Forwarded-For hop: a client-written left-most value cannot rotate it', async () => {
    const proxy = '127.0.21.1';
    const statuses: number[] = [];
    for (let attempt = 1; attempt <= SIGN_INS_PER_MINUTE + 1; attempt += 1) {
      statuses.push(await guess(app, proxy, `198.51.100.${attempt}, 203.0.113.7`));
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    // The proxy overwrites X-Forwarded-For with the address it saw (deploy/nginx.conf): a client of its own.
    expect(await guess(app, proxy, '203.0.113.8')).toBe(401);
    expect(await guess(app, proxy, '203.0.113.7')).toBe(429);
    expect(app.loggedAddresses()).toEqual([...Array(4).fill('203.0.113.7'), '203.0.113.8', '203.0.113.7']);
    // Without X-Forwarded-For (a request straight to the app), the socket's peer is the client.
    for (let attempt = 0; attempt < SIGN_INS_PER_MINUTE; attempt += 1) {
      expect(await guess(app, '127.0.21.2')).toBe(401);
    }
    expect(await guess(app, '127.0.21.2')).toBe(429);
    expect(app.loggedAddresses().at(-1)).toBe('127.0.21.2');
  });
});

describe('TRUST_PROXY=<addresses> (the proxies are named)', () => {
  let app: Started;
  beforeAll(async () => {
    app = await start({ TRUST_PROXY: '127.0.22.1, 10.0.0.0/8' });
  });
  afterAll(() => app.t.close());

  it('believes X-Forwarded-For only from a listed address', async () => {
    expect(await guess(app, '127.0.22.1', '203.0.113.9')).toBe(401);
    expect(app.loggedAddresses().at(-1)).toBe('203.0.113.9');
    // Not a listed proxy: its X-Forwarded-For is ignored, however it rotates.
    const statuses: number[] = [];
    for (let attempt = 1; attempt <= SIGN_INS_PER_MINUTE + 1; attempt += 1) {
      statuses.push(await guess(app, '127.0.22.2', `198.51.100.${attempt}`));
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(app.loggedAddresses().slice(-4)).toEqual(Array(4).fill('127.0.22.2'));
  });
});
