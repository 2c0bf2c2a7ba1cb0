import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SubscriptionService } from '../../src/services/subscription-service.js';
import { buildTestApp, cookieHeader, TEST_ORIGIN, type TestApp } from '../helpers/build-test-app.js';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PASSWORD = 'correct horse battery';
const CLI_TOKEN = 'revocation-test-token';
const json = { origin: TEST_ORIGIN, 'content-type': 'application/json' };

/** A new account over HTTP. */
async function newAccount(base: string, email: string): Promise<void> {
  const response = await fetch(`${base}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ email, password: PASSWORD, name: 'Victim' }),
  });
  expect(response.status).toBe(200);
}

/** A fresh sign-in: the cookie header a browser would hold (the session token and whatever else is set). */
async function signIn(base: string, email: string, password = PASSWORD): Promise<string> {
  const response = await fetch(`${base}/api/auth/sign-in/email`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ email, password }),
  });
  expect(response.status).toBe(200);
  return cookieHeader(response.headers.getSetCookie());
}

const me = async (base: string, cookie: string) => {
  const response = await fetch(`${base}/api/me`, { headers: { cookie } });
  return { status: response.status, body: (await response.json()) as { role?: string } };
};

/**
 * Polls (every 10 ms) until `check` holds; says how long it took and how many requests it made
 * (1: the first request after the change already saw it), or fails after `limitMs`.
 */
async function within(limitMs: number, check: () => Promise<boolean>): Promise<string> {
  const started = performance.now();
  for (let requests = 1; ; requests++) {
    if (await check()) return `${Math.round(performance.now() - started)} ms, request ${requests}`;
    if (performance.now() - started > limitMs) throw new Error(`not within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Two instances of one deployment (one database, one Redis). A captured cookie header (session
 * token and all) replayed on the other instance after the session ended must stop working within
 * 1 s, whatever that instance had cached.
 */
describe('session revocation across instances through Redis', () => {
  let a: TestApp;
  let b: TestApp;
  let baseA: string;
  let baseB: string;
  const delays: Record<string, string> = {};

  beforeAll(async () => {
    const env = { REDIS_URL: redisUrl };
    a = await buildTestApp({ env, adminCliToken: CLI_TOKEN });
    b = await buildTestApp({ env, database: a.database });
    baseA = await a.app.listen({ port: 0, host: '127.0.0.1' });
    baseB = await b.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
    console.info(`revocation seen on instance B after: ${JSON.stringify(delays)}`);
  });

  it('refuses a captured cookie on instance B within 1 s of a sign-out on instance A', async () => {
    const email = `out-${crypto.randomUUID()}@example.com`;
    await newAccount(baseA, email);
    const captured = await signIn(baseA, email);
    expect((await me(baseB, captured)).status).toBe(200); // B has it cached now
    expect((await me(baseB, captured)).status).toBe(200);

    const signOut = await fetch(`${baseA}/api/auth/sign-out`, {
      method: 'POST',
      headers: { ...json, cookie: captured },
      body: '{}',
    });
    expect(signOut.status).toBe(200);
    expect((await me(baseA, captured)).status).toBe(401); // at once where it happened
    delays.signOut = await within(1_000, async () => (await me(baseB, captured)).status === 401);
  });

  it('refuses the other sessions on instance B within 1 s of a password change on instance A', async () => {
    const email = `password-${crypto.randomUUID()}@example.com`;
    await newAccount(baseA, email);
    const here = await signIn(baseA, email);
    const elsewhere = await signIn(baseB, email); // e.g. a stolen session, used through B
    expect((await me(baseB, elsewhere)).status).toBe(200);

    const change = await fetch(`${baseA}/api/auth/change-password`, {
      method: 'POST',
      headers: { ...json, cookie: here },
      body: JSON.stringify({
        currentPassword: PASSWORD,
        newPassword: 'a new strong password',
        revokeOtherSessions: true,
      }),
    });
    expect(change.status).toBe(200);
    delays.passwordChange = await within(1_000, async () => (await me(baseB, elsewhere)).status === 401);
    // The session that changed the password goes on, with the cookie it was handed.
    expect((await me(baseB, cookieHeader(change.headers.getSetCookie()))).status).toBe(200);
  });

  it('shows an admin demoted through instance A as a user on instance B within 1 s', async () => {
    const email = `admin-${crypto.randomUUID()}@example.com`;
    await newAccount(baseA, email);
    await new SubscriptionService(a.database.db, () => []).setRoleByEmail(email, 'admin');
    const cookie = await signIn(baseA, email);
    expect((await me(baseB, cookie)).body.role).toBe('admin'); // B has the admin cached now

    const demote = await fetch(`${baseA}/api/admin/users/role`, {
      method: 'POST',
      headers: { ...json, 'x-admin-token': CLI_TOKEN },
      body: JSON.stringify({ email, role: 'user' }),
    });
    expect(demote.status).toBe(200);
    delays.roleDemotion = await within(1_000, async () => (await me(baseB, cookie)).body.role === 'user');
    const adminOnly = await fetch(`${baseB}/api/admin/users/plan`, {
      method: 'POST',
      headers: { ...json, cookie },
      body: JSON.stringify({ email, plan: null }),
    });
    expect(adminOnly.status).toBe(404);
  });
});

describe('session revocation without Redis', () => {
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    t = await buildTestApp({ adminCliToken: CLI_TOKEN });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => t.close());

  it('refuses a captured cookie at once on the instance that saw the sign-out', async () => {
    const email = `local-${crypto.randomUUID()}@example.com`;
    await newAccount(base, email);
    const captured = await signIn(base, email);
    expect((await me(base, captured)).status).toBe(200);
    const signOut = await fetch(`${base}/api/auth/sign-out`, {
      method: 'POST',
      headers: { ...json, cookie: captured },
      body: '{}',
    });
    expect(signOut.status).toBe(200);
    expect((await me(base, captured)).status).toBe(401);
    // better-auth's own session endpoint does not take it either (no signed cookie cache).
    const session = await fetch(`${base}/api/auth/get-session`, { headers: { cookie: captured } });
    expect(await session.json()).toBeNull();
  });

  it('shows a role change made through this instance at once', async () => {
    const email = `local-admin-${crypto.randomUUID()}@example.com`;
    await newAccount(base, email);
    const cookie = await signIn(base, email);
    expect((await me(base, cookie)).body.role).toBe('user'); // cached now
    const promote = await fetch(`${base}/api/admin/users/role`, {
      method: 'POST',
      headers: { ...json, 'x-admin-token': CLI_TOKEN },
      body: JSON.stringify({ email, role: 'admin' }),
    });
    expect(promote.status).toBe(200);
    expect((await me(base, cookie)).body.role).toBe('admin');
  });
});
