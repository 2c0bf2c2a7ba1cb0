import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { firstAccount, user } from '../../src/db/schema.js';
import { claimFirstAccount } from '../../src/services/invites/first-account.js';
import { as, buildTestApp, signIn, TEST_ORIGIN, type TestApp } from '../helpers/build-test-app.js';

const PASSWORD = 'correct horse battery';

function signUpRequest(t: TestApp, email: string, extra: Record<string, unknown> = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/api/auth/sign-up/email',
    headers: { origin: TEST_ORIGIN, 'content-type': 'application/json' },
    payload: { email, password: PASSWORD, name: email.split('@')[0], ...extra },
  });
}

async function rolesOf(t: TestApp) {
  const rows = await t.database.db.select({ email: user.email, role: user.role }).from(user);
  return Object.fromEntries(rows.map((row) => [row.email, row.role]));
}

// Each test needs an empty instance, so each builds its own app (migrations included): slow on a busy machine.
describe('the first account is the administrator', { timeout: 120_000 }, () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('makes the first sign-up the admin (said by /api/me and the log) and every later one a user', async () => {
    const lines: string[] = [];
    const { default: pino } = await import('pino');
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    t = await buildTestApp({ logger });
    expect((await signUpRequest(t, 'first@example.com')).statusCode).toBe(200);
    expect((await signUpRequest(t, 'second@example.com')).statusCode).toBe(200);
    expect(await rolesOf(t)).toEqual({ 'first@example.com': 'admin', 'second@example.com': 'user' });

    const first = await signIn(t.app, 'first@example.com');
    const second = await signIn(t.app, 'second@example.com');
    const me = (cookie: string) => t!.app.inject({ method: 'GET', url: '/api/me', headers: as(cookie) });
    expect((await me(first)).json()).toMatchObject({ role: 'admin', firstAccount: true });
    expect((await me(second)).json()).toMatchObject({ role: 'user', firstAccount: false });
    expect(lines.join('')).toContain(
      'first@example.com is the administrator: first account on this instance',
    );
    expect(lines.join('')).not.toContain('second@example.com is the administrator');
  });

  it('promotes nobody on an instance that already had accounts before this feature', async () => {
    t = await buildTestApp();
    await t.database.db.insert(user).values({ id: 'old', name: 'Old', email: 'old@example.com' });
    expect((await signUpRequest(t, 'new@example.com')).statusCode).toBe(200);
    expect(await rolesOf(t)).toEqual({ 'old@example.com': 'user', 'new@example.com': 'user' });
    expect(await t.database.db.select().from(firstAccount)).toEqual([]);
  });

  it('gives the admin role to exactly one of many simultaneous first sign-ups', async () => {
    t = await buildTestApp();
    const emails = Array.from({ length: 8 }, (_, index) => `racer${index}@example.com`);
    const answers = await Promise.all(emails.map((email) => signUpRequest(t!, email)));
    expect(answers.map((answer) => answer.statusCode)).toEqual(emails.map(() => 200));
    const roles = Object.values(await rolesOf(t));
    expect(roles).toHaveLength(8);
    expect(roles.filter((role) => role === 'admin')).toHaveLength(1);
    const [slot] = await t.database.db.select().from(firstAccount);
    const [admin] = await t.database.db.select().from(user).where(eq(user.role, 'admin'));
    expect(slot?.userId).toBe(admin?.id);
  });

  it('claims the slot once when inserts and claims interleave (a real pool on PostgreSQL)', async () => {
    t = await buildTestApp();
    const ids = Array.from({ length: 12 }, (_, index) => `racer-${index}`);
    // Each "sign-up" writes its row, then claims: on a pool, rows and claims overlap in every order.
    const claims = await Promise.all(
      ids.map(async (id) => {
        await t!.database.db.insert(user).values({ id, name: id, email: `${id}@example.com` });
        return claimFirstAccount(t!.database.db, id);
      }),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    const roles = Object.values(await rolesOf(t));
    expect(roles.filter((role) => role === 'admin')).toHaveLength(1);
  });
});
