import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, signUp, TEST_ORIGIN, type TestApp } from '../helpers/build-test-app.js';
import { rawRequest, type RawResponse } from '../helpers/raw-request.js';

/**
 * Audit issue 18, item 1: the per-IP sign-in and sign-up limits must hold whatever the request target
 * says. better-auth routes on `new URL(target)`, which resolves dot segments, `%2e`, `\` and a
 * fragment and takes an absolute-form target's path; each of those once gave unlimited guesses.
 * Over real HTTP (raw socket writes: fetch would normalise the target), each client from its own
 * loopback address (127.0.x.y) so every case starts with a fresh count. No TRUST_PROXY: the socket
 * address is the client.
 */
const SIGN_INS_PER_MINUTE = 3;
const SIGN_UPS_PER_HOUR = 2;
const PASSWORD = 'correct horse battery';
const VICTIM = 'victim@example.com';

let t: TestApp;
let base: string;
let port: string;
beforeAll(async () => {
  t = await buildTestApp({
    env: {
      RATE_LIMIT_SIGN_INS_PER_MINUTE: String(SIGN_INS_PER_MINUTE),
      RATE_LIMIT_SIGN_UPS_PER_HOUR: String(SIGN_UPS_PER_HOUR),
    },
  });
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = new URL(base).port;
  await signUp(t.app, VICTIM, PASSWORD);
});
afterAll(() => t.close());

let clients = 0;
/** A new client address: its own per-IP counters. */
const newClient = () => {
  clients += 1;
  return `127.0.${Math.floor(clients / 250) + 10}.${(clients % 250) + 1}`;
};

const send = (from: string, method: string, target: string, body?: unknown): Promise<RawResponse> =>
  rawRequest(base, {
    method,
    target,
    localAddress: from,
    headers: { origin: TEST_ORIGIN, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
const signIn = (from: string, target: string, password: string, method = 'POST') =>
  send(from, method, target, method === 'POST' ? { email: VICTIM, password } : undefined);
const signedIn = (response: RawResponse) =>
  response.status === 200 || (response.headers['set-cookie'] ?? []).some((c) => c.includes('session_token'));

/** Targets that better-auth resolves to /api/auth/sign-in/email (or would, with a laxer router). */
const signInVariants = [
  { method: 'POST', target: '/api/auth/./sign-in/email' },
  { method: 'POST', target: '/api/auth/x/../sign-in/email' },
  { method: 'POST', target: '/api/auth/../auth/sign-in/email' },
  { method: 'POST', target: '/api/auth/%2e/sign-in/email' },
  { method: 'POST', target: '/api/auth/x/%2E%2e/sign-in/email' },
  { method: 'POST', target: '/api/auth/sign-in/email/x/..' },
  { method: 'POST', target: '/api/auth/sign-in/email#fragment' },
  { method: 'POST', target: '/api/auth/sign-in\\email' },
  { method: 'POST', target: 'http://127.0.0.1:<port>/api/auth/sign-in/email' },
  { method: 'POST', target: 'http://elsewhere.example/api/auth/sign-in/email' },
  { method: 'POST', target: '/api/auth/sign-in/email/' },
  { method: 'POST', target: '/api/auth/sign-in//email' },
  { method: 'POST', target: '/api/auth//sign-in/email' },
  { method: 'POST', target: '/api/auth/Sign-In/Email' },
  { method: 'POST', target: '/api/auth/sign-%69n/email' },
  { method: 'GET', target: '/api/auth/sign-in/email' },
  { method: 'HEAD', target: '/api/auth/sign-in/email' },
];

describe('per-IP sign-in limit over real HTTP, whatever the request target', () => {
  it('the canonical path: the right password signs in, and the fourth attempt is 429', async () => {
    const from = newClient();
    for (let attempt = 0; attempt < SIGN_INS_PER_MINUTE; attempt += 1) {
      expect((await signIn(from, '/api/auth/sign-in/email', 'wrong password!')).status).toBe(401);
    }
    const refused = await signIn(from, '/api/auth/sign-in/email', PASSWORD);
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'rate_limited' } });
    // A query (even one with a `#` in it) does not change the path.
    expect((await signIn(from, '/api/auth/sign-in/email?', PASSWORD)).status).toBe(429);
    expect((await signIn(from, '/api/auth/sign-in/email?x=1#y', PASSWORD)).status).toBe(429);
    expect(signedIn(await signIn(newClient(), '/api/auth/sign-in/email', PASSWORD))).toBe(true);
  });

  it.each(signInVariants.map((variant) => [`${variant.method} ${variant.target}`, variant] as const))(
    '%s counts as a sign-in attempt and never signs in past the limit',
    async (_name, variant) => {
      const { method } = variant;
      const target = variant.target.replace('<port>', port);
      const from = newClient();
      for (let attempt = 0; attempt < SIGN_INS_PER_MINUTE; attempt += 1) {
        const response = await signIn(from, target, 'wrong password!', method);
        // Refused as non-canonical (400), not routed by better-auth (404), or a wrong password (401).
        expect([400, 401, 404], `attempt ${attempt + 1}: ${response.status} ${response.body}`).toContain(
          response.status,
        );
      }
      const next = await signIn(from, target, PASSWORD, method);
      expect(next.status, next.body).toBe(429);
      expect(signedIn(next)).toBe(false);
      // The same count as the canonical path: the guesses above used up this address's minute.
      expect((await signIn(from, '/api/auth/sign-in/email', PASSWORD)).status).toBe(429);
    },
  );

  it('refuses a non-canonical auth target with 400 in our error shape, even under the limit', async () => {
    for (const target of [
      '/api/auth/./sign-in/email',
      '/api/auth/%2e%2e/auth/sign-in/email',
      '/api/auth/sign-in/email#x',
      '/api/auth/get-session\\',
      `http://127.0.0.1:${port}/api/auth/sign-in/email`,
      `http://127.0.0.1:${port}/api/auth/get-session`,
    ]) {
      const response = await signIn(newClient(), target, PASSWORD);
      expect(response.status, target).toBe(400);
      expect(JSON.parse(response.body), target).toEqual({
        error: { code: 'bad_request', message: expect.stringContaining('Non-canonical auth path') },
      });
    }
  });

  it('targets that do not reach better-auth as a sign-in never sign in', async () => {
    for (const target of [
      '//elsewhere.example/api/auth/sign-in/email',
      '/api/auth\\sign-in\\email',
      '/api/x/../auth/sign-in/email',
      '/api/auth/sign-in/email;x',
      '/api/auth/sign-in/email%2F',
    ]) {
      const from = newClient();
      for (let attempt = 0; attempt <= SIGN_INS_PER_MINUTE + 1; attempt += 1) {
        const response = await signIn(from, target, PASSWORD);
        expect(signedIn(response), `${target}: ${response.status} ${response.body}`).toBe(false);
      }
    }
  });
});

describe('per-IP sign-up limit over real HTTP, whatever the request target', () => {
  it.each([
    '/api/auth/./sign-up/email',
    '/api/auth/x/%2e%2e/sign-up/email',
    '/api/auth/sign-up/email#fragment',
    '/api/auth/sign-up\\email',
    'http://elsewhere.example/api/auth/sign-up/email',
    '/api/auth/sign-up/email/',
  ])('%s counts as a sign-up and creates no account past the limit', async (target) => {
    const from = newClient();
    const signUpVia = (via: string, index: number) =>
      send(from, 'POST', via, {
        email: `farm-${clients}-${index}@example.com`,
        password: PASSWORD,
        name: 'farm',
      });
    for (let index = 0; index < SIGN_UPS_PER_HOUR; index += 1) {
      expect([400, 404]).toContain((await signUpVia(target, index)).status);
    }
    expect((await signUpVia(target, 99)).status).toBe(429);
    expect((await signUpVia('/api/auth/sign-up/email', 100)).status).toBe(429);
  });
});
