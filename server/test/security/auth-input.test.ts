import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import { eq, sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { user } from '../../src/db/schema.js';
import { loggerOptions } from '../../src/http/logger-options.js';
import { buildTestApp, cookieHeader, TEST_ORIGIN, type TestApp } from '../helpers/build-test-app.js';

const PASSWORD = 'correct horse battery';
const json = { origin: TEST_ORIGIN, 'content-type': 'application/json' };

/** Everything the process writes to stderr or the console while a test runs. */
function captureConsole() {
  const written: string[] = [];
  const spies: { mockRestore(): void }[] = [];
  beforeEach(() => {
    written.length = 0;
    const keep = (...args: unknown[]) => {
      written.push(
        args.map((arg) => (arg instanceof Error ? `${arg.message} ${arg.stack}` : String(arg))).join(' '),
      );
    };
    spies.push(vi.spyOn(console, 'error').mockImplementation(keep));
    spies.push(vi.spyOn(console, 'warn').mockImplementation(keep));
    spies.push(vi.spyOn(console, 'log').mockImplementation(keep));
    spies.push(vi.spyOn(console, 'info').mockImplementation(keep));
    const write = process.stderr.write.bind(process.stderr);
    spies.push(
      vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return write(chunk);
      }),
    );
  });
  afterEach(() => {
    for (const spy of spies.splice(0)) spy.mockRestore();
  });
  return written;
}

/** The app's log lines, as text. */
function logSink() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: pino({ ...loggerOptions('info') }, sink) };
}

describe('better-auth input at our boundary (real HTTP)', () => {
  let t: TestApp;
  let base: string;
  const log = logSink();
  const console = captureConsole();

  beforeAll(async () => {
    t = await buildTestApp({ logger: log.logger });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => t.close());

  const post = (path: string, body: string, cookie?: string) =>
    fetch(`${base}/api/auth/${path}`, {
      method: 'POST',
      headers: { ...json, ...(cookie ? { cookie } : {}) },
      body,
    });
  const signUp = (email: string, password = PASSWORD, name = 'Someone') =>
    post('sign-up/email', JSON.stringify({ email, password, name }));
  const signIn = async (email: string, password = PASSWORD) => {
    const response = await post('sign-in/email', JSON.stringify({ email, password }));
    return { status: response.status, cookie: cookieHeader(response.headers.getSetCookie()) };
  };
  const userRows = (email: string) => t.database.db.select().from(user).where(eq(user.email, email));

  /** Header names that say something about the answer (not its date, length or request id). */
  const headerNames = (response: Response) =>
    [...response.headers.keys()]
      .filter((name) => !['date', 'content-length', 'x-request-id'].includes(name))
      .sort();
  const shape = (value: unknown): unknown =>
    value && typeof value === 'object'
      ? Object.fromEntries(
          Object.entries(value)
            .map(([key, inner]) => [key, shape(inner)])
            .sort(),
        )
      : value === null
        ? 'null'
        : typeof value;

  it('answers a sign-up for a taken email exactly like one for a new email (no account enumeration)', async () => {
    const email = `taken-${crypto.randomUUID()}@example.com`;
    const fresh = await signUp(email);
    const taken = await signUp(email, 'another password entirely', 'Mallory');
    expect([fresh.status, taken.status]).toEqual([200, 200]);
    expect(headerNames(taken)).toEqual(headerNames(fresh));
    expect(fresh.headers.getSetCookie()).toEqual([]); // a sign-up never signs in: neither says more
    expect(taken.headers.getSetCookie()).toEqual([]);
    const [freshBody, takenBody] = [await fresh.json(), await taken.json()];
    expect(shape(takenBody)).toEqual(shape(freshBody));
    expect(takenBody).toMatchObject({ token: null, user: { email, role: 'user', emailVerified: false } });
    expect(freshBody).toMatchObject({ token: null, user: { email, role: 'user', emailVerified: false } });

    // The account is the first one, untouched; the second sign-up's password does not open it.
    expect(await userRows(email)).toHaveLength(1);
    expect((await userRows(email))[0]?.name).toBe('Someone');
    expect((await signIn(email)).status).toBe(200);
    expect((await signIn(email, 'another password entirely')).status).toBe(401);
  });

  it('refuses a null, 1e99999 or NUL name on update-user with 400 validation_failed (was 500, empty body)', async () => {
    const email = `update-${crypto.randomUUID()}@example.com`;
    await signUp(email);
    const { cookie } = await signIn(email);
    for (const body of [
      '{"name":null}',
      '{"name":1e99999}',
      '{"name":"a\\u0000b"}',
      '{"image":"x\\u0000"}',
    ]) {
      const response = await post('update-user', body, cookie);
      expect(response.status, body).toBe(400);
      const answer = (await response.json()) as { error: { message: string } };
      expect(answer, body).toMatchObject({
        error: { code: 'validation_failed', message: expect.any(String) },
      });
      expect(answer.error.message, body).toMatch(/^(name|image): /);
    }
    expect((await userRows(email))[0]?.name).toBe('Someone');
    expect(console.join('\n')).not.toContain(email);
    expect(log.lines.join('\n')).not.toContain(email);
    // A good one still goes through.
    expect((await post('update-user', '{"name":"Renamed"}', cookie)).status).toBe(200);
    expect((await userRows(email))[0]?.name).toBe('Renamed');
  });

  it('refuses a sign-up with a null, 1e99999 or NUL name, or a NUL email, before the database (nothing printed)', async () => {
    const email = `nul-${crypto.randomUUID()}@example.com`;
    const bodies = [
      JSON.stringify({ email, password: PASSWORD, name: null }),
      `{"email":"${email}","password":"${PASSWORD}","name":1e99999}`,
      JSON.stringify({ email, password: PASSWORD, name: 'a\u0000b' }),
      JSON.stringify({ email: `${email}\u0000`, password: PASSWORD, name: 'n' }),
      JSON.stringify({ email, password: PASSWORD, name: 'n', role: 'admin' }),
    ];
    for (const body of bodies) {
      const response = await post('sign-up/email', body);
      expect(response.status, body).toBe(400);
      expect(await response.json(), body).toMatchObject({ error: { code: 'validation_failed' } });
    }
    expect(await userRows(email)).toHaveLength(0);
    // better-auth used to print the failed INSERT, email and all, to stderr.
    expect(console.join('\n')).not.toContain(email);
    expect(log.lines.join('\n')).not.toContain(email);
  });

  it('limits a name to 100 characters and an email to 254, on sign-up and update-user', async () => {
    /** A unique address of exactly `length` characters. */
    const emailOf = (length: number) => {
      const prefix = `n${crypto.randomUUID().slice(0, 8)}`;
      return `${prefix}${'a'.repeat(length - prefix.length - '@example.com'.length)}@example.com`;
    };
    expect(emailOf(254)).toHaveLength(254);

    const huge = await signUp(`huge-${crypto.randomUUID()}@example.com`, PASSWORD, 'x'.repeat(100_001));
    expect(huge.status).toBe(400);
    expect(await huge.json()).toMatchObject({
      error: { code: 'validation_failed', message: 'name: must be at most 100 characters' },
    });
    expect((await signUp(`long-${crypto.randomUUID()}@example.com`, PASSWORD, 'x'.repeat(101))).status).toBe(
      400,
    );
    const tooLongEmail = await signUp(emailOf(255));
    expect(tooLongEmail.status).toBe(400);
    expect(((await tooLongEmail.json()) as { error: { message: string } }).error.message).toBe(
      'email: must be at most 254 characters',
    );

    const email = emailOf(254);
    expect((await signUp(email, PASSWORD, 'x'.repeat(100))).status).toBe(200);
    const { status, cookie } = await signIn(email);
    expect(status).toBe(200);
    expect(cookie.length).toBeLessThan(1_000); // no session data cookie: the name is never in one
    const rename = await post('update-user', JSON.stringify({ name: 'y'.repeat(100_001) }), cookie);
    expect(rename.status).toBe(400);
    expect((await post('update-user', JSON.stringify({ name: 'y'.repeat(101) }), cookie)).status).toBe(400);
    expect((await post('update-user', JSON.stringify({ name: 'y'.repeat(100) }), cookie)).status).toBe(200);
    // Every later request still works.
    const me = await fetch(`${base}/api/me`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ email, name: 'y'.repeat(100) });
  });
});

describe('better-auth failures print no user data', () => {
  const log = logSink();
  const console = captureConsole();
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    t = await buildTestApp({ logger: log.logger });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    // Every query on users now fails; the driver's error carries the query and its parameters.
    await t.database.db.execute(sql`ALTER TABLE "user" RENAME TO "user_gone"`);
  });
  afterAll(() => t.close());

  it('answers 500 in our error shape and logs the failure by name and SQLSTATE only', async () => {
    const email = `victim-${crypto.randomUUID()}@example.com`;
    const response = await fetch(`${base}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email, password: PASSWORD, name: 'Victim Name' }),
    });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: { code: 'internal' } });
    const printed = console.join('\n');
    expect(printed).not.toContain(email);
    expect(printed).not.toContain('Victim Name');
    const logged = log.lines.join('\n');
    expect(logged).not.toContain(email);
    expect(logged).toContain('"sqlState":"42P01"');
  });
});
