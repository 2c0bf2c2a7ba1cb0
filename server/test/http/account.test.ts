import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq, isNull, sum } from 'drizzle-orm';
import { chatbots, conversations, messages, session, usageRecords, user } from '../../src/db/schema.js';
import { as, signIn, signUp } from '../helpers/build-test-app.js';
import { seedVictim, startSecurityApp, type SecurityApp } from '../security/security-fixtures.js';

const PASSWORD = 'correct horse battery';

/** The account page's server side: better-auth's endpoints behind our body checks, and the export. */
describe('account: name, email, password, sessions, export, deletion', () => {
  let s: SecurityApp;

  beforeAll(async () => {
    s = await startSecurityApp();
  });
  afterAll(() => s.close());

  const post = (cookie: string, url: string, payload: object) =>
    s.t.app.inject({ method: 'POST', url, headers: as(cookie), payload });
  const me = async (cookie: string) => s.t.app.inject({ method: 'GET', url: '/api/me', headers: as(cookie) });

  it('renames the user; an empty or too long name is a field message', async () => {
    const cookie = await signUp(s.t.app, 'rename@example.com');
    expect((await post(cookie, '/api/auth/update-user', { name: 'Ada Lovelace' })).statusCode).toBe(200);
    expect((await me(cookie)).json()).toMatchObject({ name: 'Ada Lovelace' });
    const empty = await post(cookie, '/api/auth/update-user', { name: '   ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.details).toEqual([{ field: 'name', message: 'must not be empty' }]);
    const long = await post(cookie, '/api/auth/update-user', { name: 'x'.repeat(101) });
    expect(long.statusCode).toBe(400);
    expect(long.json().error.details[0].field).toBe('name');
  });

  it('changes the email only with the current password', async () => {
    const cookie = await signUp(s.t.app, 'old-address@example.com');
    const wrong = await post(cookie, '/api/auth/change-email', {
      newEmail: 'new-address@example.com',
      currentPassword: 'not my password',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error).toMatchObject({
      code: 'invalid_password',
      details: [{ field: 'currentPassword', message: 'That is not your current password.' }],
    });
    expect((await me(cookie)).json().email).toBe('old-address@example.com');
    const missing = await post(cookie, '/api/auth/change-email', { newEmail: 'new-address@example.com' });
    expect(missing.statusCode).toBe(400);
    const invalid = await post(cookie, '/api/auth/change-email', {
      newEmail: 'not an address',
      currentPassword: PASSWORD,
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.details[0].field).toBe('newEmail');
    const ok = await post(cookie, '/api/auth/change-email', {
      newEmail: 'new-address@example.com',
      currentPassword: PASSWORD,
    });
    expect(ok.statusCode).toBe(200);
    expect((await me(cookie)).json().email).toBe('new-address@example.com');
    await signIn(s.t.app, 'new-address@example.com');
  });

  it('changes the password and signs every other session out', async () => {
    const here = await signUp(s.t.app, 'password@example.com');
    const elsewhere = await signIn(s.t.app, 'password@example.com');
    expect((await me(elsewhere)).statusCode).toBe(200);
    const short = await post(here, '/api/auth/change-password', {
      currentPassword: PASSWORD,
      newPassword: 'short',
      revokeOtherSessions: true,
    });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.details[0]).toEqual({
      field: 'newPassword',
      message: 'must be at least 8 characters',
    });
    const changed = await post(here, '/api/auth/change-password', {
      currentPassword: PASSWORD,
      newPassword: 'a brand new passphrase',
      revokeOtherSessions: true,
    });
    expect(changed.statusCode).toBe(200);
    expect((await me(elsewhere)).statusCode).toBe(401);
    await signIn(s.t.app, 'password@example.com', 'a brand new passphrase');
    await expect(signIn(s.t.app, 'password@example.com', PASSWORD)).rejects.toThrow(/sign-in failed/);
  });

  it('signs out everywhere', async () => {
    const first = await signUp(s.t.app, 'everywhere@example.com');
    const second = await signIn(s.t.app, 'everywhere@example.com');
    expect((await post(first, '/api/auth/revoke-sessions', {})).statusCode).toBe(200);
    expect((await me(first)).statusCode).toBe(401);
    expect((await me(second)).statusCode).toBe(401);
  });

  it('exports the caller’s own data only', async () => {
    const alice = await seedVictim(s.t, 'export-alice@example.com');
    const bob = await signUp(s.t.app, 'export-bob@example.com');
    const mine = await s.t.app.inject({
      method: 'GET',
      url: '/api/account/export',
      headers: as(alice.cookie),
    });
    expect(mine.statusCode).toBe(200);
    expect(mine.headers['content-disposition']).toMatch(/^attachment; filename="chatbot-builder-export-/);
    const data = mine.json();
    expect(data.profile).toMatchObject({ email: 'export-alice@example.com', plan: null });
    expect(data.chatbots).toHaveLength(1);
    expect(data.conversations).toHaveLength(1);
    expect(data.conversations[0].messages).toHaveLength(2);
    expect(data.usage.length).toBeGreaterThan(0);
    const theirs = await s.t.app.inject({ method: 'GET', url: '/api/account/export', headers: as(bob) });
    expect(theirs.json()).toMatchObject({ chatbots: [], conversations: [], usage: [] });
    expect(theirs.body).not.toContain('Alice Private Bot');
    const anonymous = await s.t.app.inject({ method: 'GET', url: '/api/account/export' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('deletes the account with its password: chatbots, conversations, sessions go; usage stays anonymised', async () => {
    const victim = await seedVictim(s.t, 'leaving@example.com');
    const other = await signIn(s.t.app, 'leaving@example.com');
    const db = s.t.database.db;
    const [found] = await db.select({ id: user.id }).from(user).where(eq(user.email, 'leaving@example.com'));
    const userId = found!.id;
    const operatorTotals = async () =>
      (await db.select({ rows: count(), cost: sum(usageRecords.costUsd) }).from(usageRecords))[0];
    const before = await operatorTotals();

    const wrong = await post(victim.cookie, '/api/auth/delete-user', { password: 'not my password' });
    expect(wrong.statusCode).toBe(400);
    const noPassword = await post(victim.cookie, '/api/auth/delete-user', {});
    expect(noPassword.statusCode).toBe(400);
    expect(noPassword.json().error.details[0].field).toBe('password');
    expect((await me(victim.cookie)).statusCode).toBe(200);

    const deleted = await post(victim.cookie, '/api/auth/delete-user', { password: PASSWORD });
    expect(deleted.statusCode).toBe(200);
    expect((await me(victim.cookie)).statusCode).toBe(401);
    expect((await me(other)).statusCode).toBe(401);
    expect(await db.select().from(user).where(eq(user.id, userId))).toEqual([]);
    expect(await db.select().from(session).where(eq(session.userId, userId))).toEqual([]);
    expect(await db.select().from(chatbots).where(eq(chatbots.userId, userId))).toEqual([]);
    expect(await db.select().from(conversations).where(eq(conversations.userId, userId))).toEqual([]);
    expect(
      await db.select().from(messages).where(eq(messages.conversationId, victim.conversationId)),
    ).toEqual([]);
    // The operator's ledger: same rows, same spend; the leaver's rows carry no user any more.
    expect(await operatorTotals()).toEqual(before);
    const anonymised = await db.select().from(usageRecords).where(isNull(usageRecords.userId));
    expect(anonymised.some((row) => row.chatbotId === victim.chatbotId)).toBe(true);
    await expect(signIn(s.t.app, 'leaving@example.com')).rejects.toThrow(/sign-in failed/);
  });
});

describe('account: password checks are rate limited like sign-ins', () => {
  let s: SecurityApp;
  beforeAll(async () => {
    s = await startSecurityApp({ env: { RATE_LIMIT_SIGN_INS_PER_MINUTE: '4' } });
  });
  afterAll(() => s.close());

  it('counts wrong current passwords on change-email, change-password and delete-user against the per-IP sign-in limit', async () => {
    const cookie = await signUp(s.t.app, 'guesser@example.com'); // the sign-in counts once
    const guess = (url: string, payload: object) =>
      s.t.app.inject({ method: 'POST', url, headers: as(cookie), payload });
    const statuses = [
      (await guess('/api/auth/change-email', { newEmail: 'x@example.com', currentPassword: 'guess 1' }))
        .statusCode,
      (await guess('/api/auth/change-password', { currentPassword: 'guess 2', newPassword: 'whatever123' }))
        .statusCode,
      (await guess('/api/auth/delete-user', { password: 'guess 3' })).statusCode,
      (await guess('/api/auth/delete-user', { password: 'guess 4' })).statusCode,
    ];
    expect(statuses).toEqual([400, 400, 400, 429]);
  });
});
