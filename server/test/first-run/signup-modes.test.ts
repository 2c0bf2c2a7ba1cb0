import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invites, user } from '../../src/db/schema.js';
import { as, buildTestApp, signIn, signUp, TEST_ORIGIN, type TestApp } from '../helpers/build-test-app.js';

const PASSWORD = 'correct horse battery';

function signUpRequest(t: TestApp, email: string, extra: Record<string, unknown> = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/api/auth/sign-up/email',
    headers: { origin: TEST_ORIGIN, 'content-type': 'application/json' },
    payload: { email, password: PASSWORD, name: email.split('@')[0], ...extra },
  });
}

async function createInvite(t: TestApp, adminCookie: string, body: Record<string, unknown> = {}) {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/admin/invites',
    headers: as(adminCookie),
    payload: body,
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; code: string; link: string; status: string };
}

async function emails(t: TestApp) {
  return (await t.database.db.select({ email: user.email }).from(user)).map((row) => row.email).sort();
}

describe('SIGNUP=closed', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ env: { SIGNUP: 'closed' } });
  });
  afterAll(() => t.close());

  it('lets the first account in (a fresh instance stays usable), then refuses sign-ups without an invite', async () => {
    const shown = async () => (await t.app.inject({ method: 'GET', url: '/api/config' })).json().signup;
    // Without accounts the first one may sign up, so the sign-up page must be offered.
    expect(await shown()).toBe('open');
    const admin = await signUp(t.app, 'owner@example.com');
    expect(await shown()).toBe('closed');
    const refused = await signUpRequest(t, 'stranger@example.com');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({
      error: {
        code: 'signup_closed',
        message: 'Sign-up is closed on this server; ask its administrator for an invite.',
      },
    });
    const wrong = await signUpRequest(t, 'guess@example.com', { inviteCode: 'guessed' });
    expect(wrong.json().error.code).toBe('invite_invalid');
    // An administrator's invite still lets one person in.
    const invite = await createInvite(t, admin);
    expect((await signUpRequest(t, 'invited@example.com', { inviteCode: invite.code })).statusCode).toBe(200);
    expect((await signUpRequest(t, 'again@example.com', { inviteCode: invite.code })).statusCode).toBe(400);
    expect(await emails(t)).toEqual(['invited@example.com', 'owner@example.com']);
  });
});

describe('SIGNUP=invite', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await buildTestApp({ env: { SIGNUP: 'invite' } });
    admin = await signUp(t.app, 'owner@example.com'); // the first account needs no invite
  });
  afterAll(() => t.close());

  it('asks for an invite, in words, on the inviteCode field', async () => {
    const missing = await signUpRequest(t, 'nobody@example.com');
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toMatchObject({
      code: 'invite_invalid',
      details: [{ field: 'inviteCode' }],
    });
    expect(missing.json().error.message).toMatch(/needs an invite/);
    const wrong = await signUpRequest(t, 'nobody@example.com', { inviteCode: 'not-a-real-code' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error).toMatchObject({
      code: 'invite_invalid',
      message: 'This invite link is not valid or was already used.',
    });
  });

  it('signs up with a link once; the link is then used, and the account is a normal user', async () => {
    const invite = await createInvite(t, admin);
    expect(invite.link).toBe(`${TEST_ORIGIN}/sign-up?invite=${invite.code}`);
    expect(invite.code.length).toBeGreaterThanOrEqual(43); // 256 bits, base64url
    expect((await signUpRequest(t, 'guest@example.com', { inviteCode: invite.code })).statusCode).toBe(200);
    const again = await signUpRequest(t, 'guest2@example.com', { inviteCode: invite.code });
    expect(again.json().error?.code).toBe('invite_invalid');
    const guest = await signIn(t.app, 'guest@example.com');
    const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: as(guest) });
    expect(me.json()).toMatchObject({ role: 'user', firstAccount: false });
    const [row] = (await t.database.db.select().from(invites)).filter((item) => item.id === invite.id);
    expect(row).toMatchObject({ usedEmail: 'guest@example.com', usedBy: me.json().id });
    expect(row!.codeHash).not.toContain(invite.code); // only the hash is kept
  });

  it('lets exactly one of two simultaneous sign-ups use a single-use invite', async () => {
    const invite = await createInvite(t, admin);
    const [a, b] = await Promise.all([
      signUpRequest(t, 'race-a@example.com', { inviteCode: invite.code }),
      signUpRequest(t, 'race-b@example.com', { inviteCode: invite.code }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 400]);
    const made = (await emails(t)).filter((email) => email.startsWith('race-'));
    expect(made).toHaveLength(1);
  });

  it('refuses an invite made for another address, an expired one and a revoked one', async () => {
    const forAnn = await createInvite(t, admin, { email: 'ann@example.com' });
    expect((await signUpRequest(t, 'bob@example.com', { inviteCode: forAnn.code })).json().error.code).toBe(
      'invite_invalid',
    );
    expect((await signUpRequest(t, 'ANN@example.com', { inviteCode: forAnn.code })).statusCode).toBe(200);

    const expiring = await createInvite(t, admin, { expiresInHours: 1 });
    await t.database.db.update(invites).set({ expiresAt: new Date(Date.now() - 1000) });
    expect(
      (await signUpRequest(t, 'late@example.com', { inviteCode: expiring.code })).json().error.code,
    ).toBe('invite_invalid');

    const revoked = await createInvite(t, admin);
    const deleted = await t.app.inject({
      method: 'DELETE',
      url: `/api/admin/invites/${revoked.id}`,
      headers: as(admin),
    });
    expect(deleted.statusCode).toBe(204);
    expect(
      (await signUpRequest(t, 'revoked@example.com', { inviteCode: revoked.code })).json().error.code,
    ).toBe('invite_invalid');
  });
});
