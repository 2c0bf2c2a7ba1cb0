import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { session, user } from '../../src/db/schema.js';
import { as, signIn, signUp, TEST_ORIGIN } from '../helpers/build-test-app.js';
import { seedVictim, startSecurityApp, type SecurityApp } from '../security/security-fixtures.js';

/** The admin console's server side: admin-only (404 to others), audited, live for the affected user. */
describe('admin console', () => {
  let s: SecurityApp;
  let adminCookie: string;
  let adminId: string;

  beforeAll(async () => {
    s = await startSecurityApp();
    await signUp(s.t.app, 'root@example.com');
    await s.t.database.db.update(user).set({ role: 'admin' }).where(eq(user.email, 'root@example.com'));
    adminCookie = await signIn(s.t.app, 'root@example.com');
    adminId = (await get(adminCookie, '/api/me')).json().id;
  });
  afterAll(() => s.close());

  function get(cookie: string, url: string) {
    return s.t.app.inject({ method: 'GET', url, headers: as(cookie) });
  }
  function post(cookie: string, url: string, payload: object) {
    return s.t.app.inject({ method: 'POST', url, headers: as(cookie), payload });
  }

  it('lists and searches users with plan, role, state and this month’s usage', async () => {
    const carol = await seedVictim(s.t, 'carol-search@example.com');
    expect(carol.chatbotId).toBeTruthy();
    const all = await get(adminCookie, '/api/admin/users');
    expect(all.statusCode).toBe(200);
    expect(all.json().map((row: { email: string }) => row.email)).toEqual(
      expect.arrayContaining(['root@example.com', 'carol-search@example.com']),
    );
    const found = (await get(adminCookie, '/api/admin/users?q=CAROL')).json();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      email: 'carol-search@example.com',
      role: 'user',
      plan: null,
      disabled: false,
    });
    expect(found[0].usage.messages).toBe(1);
    // LIKE wildcards are literal.
    expect((await get(adminCookie, '/api/admin/users?q=%25')).json()).toEqual([]);
  });

  it('changes a plan from the console: the user’s models and limits follow at once, and it is audited', async () => {
    const dave = await signUp(s.t.app, 'dave-plan@example.com');
    const modelsBefore = (await get(dave, '/api/llm/models')).json();
    expect(
      modelsBefore.filter((m: { locked?: boolean }) => !m.locked).map((m: { id: string }) => m.id),
    ).toEqual(['chat-default']);
    expect(
      (await post(adminCookie, '/api/admin/users/plan', { email: 'dave-plan@example.com', plan: 'pro' }))
        .statusCode,
    ).toBe(200);
    const modelsAfter = (await get(dave, '/api/llm/models')).json();
    expect(
      modelsAfter
        .filter((m: { locked?: boolean }) => !m.locked)
        .map((m: { id: string }) => m.id)
        .sort(),
    ).toEqual(['chat-default', 'premium-model']);
    expect((await get(dave, '/api/plan')).json().plan).toBe('pro');
    expect(
      (await post(adminCookie, '/api/admin/users/role', { email: 'dave-plan@example.com', role: 'admin' }))
        .statusCode,
    ).toBe(200);
    const audit = (await get(adminCookie, '/api/admin/audit')).json();
    expect(audit.slice(0, 2)).toEqual([
      expect.objectContaining({
        actor: 'root@example.com',
        actorUserId: adminId,
        targetEmail: 'dave-plan@example.com',
        action: 'set_role',
        fromValue: 'user',
        toValue: 'admin',
      }),
      expect.objectContaining({
        actor: 'root@example.com',
        actorUserId: adminId,
        targetEmail: 'dave-plan@example.com',
        action: 'set_plan',
        fromValue: null,
        toValue: 'pro',
      }),
    ]);
    const unknown = await post(adminCookie, '/api/admin/users/plan', {
      email: 'dave-plan@example.com',
      plan: 'platinum',
    });
    expect(unknown.statusCode).toBe(400);
  });

  it('disables an account: its sessions end, it cannot sign in; enabling lets it back', async () => {
    const erin = await signUp(s.t.app, 'erin-disabled@example.com');
    const erinId = (await get(erin, '/api/me')).json().id;
    const disabled = await post(adminCookie, `/api/admin/users/${erinId}/disabled`, { disabled: true });
    expect(disabled.statusCode).toBe(200);
    expect((await get(erin, '/api/me')).statusCode).toBe(401);
    expect(await s.t.database.db.select().from(session).where(eq(session.userId, erinId))).toEqual([]);
    const refused = await s.t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      headers: { origin: TEST_ORIGIN, 'content-type': 'application/json' },
      payload: { email: 'erin-disabled@example.com', password: 'correct horse battery' },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('account_disabled');
    expect(
      (await post(adminCookie, `/api/admin/users/${erinId}/disabled`, { disabled: false })).statusCode,
    ).toBe(200);
    await signIn(s.t.app, 'erin-disabled@example.com');
    const self = await post(adminCookie, `/api/admin/users/${adminId}/disabled`, { disabled: true });
    expect(self.statusCode).toBe(400);
    const audit = (await get(adminCookie, '/api/admin/audit')).json();
    expect(audit.slice(0, 2).map((row: { action: string }) => row.action)).toEqual(['enable', 'disable']);
  });

  it('shows plans as loaded, the catalog with served state, and operator totals that survive an account deletion', async () => {
    const plans = (await get(adminCookie, '/api/admin/plans')).json();
    expect(plans).toMatchObject({
      source: 'env',
      lastError: null,
      plans: [{ plan: 'basic' }, { plan: 'pro' }],
    });
    expect(plans.loadedAt).toEqual(expect.any(String));
    const models = (await get(adminCookie, '/api/admin/models')).json();
    expect(models.status).toMatchObject({ unserved: expect.any(Array) });
    expect(models.models.map((m: { id: string }) => m.id)).toEqual(
      expect.arrayContaining(['chat-default', 'premium-model']),
    );
    expect(models.models[0]).toEqual(expect.objectContaining({ served: expect.any(Boolean) }));

    const frank = await seedVictim(s.t, 'frank-leaves@example.com');
    const before = (await get(adminCookie, '/api/admin/usage')).json();
    expect(before.totals.messages).toBeGreaterThan(0);
    expect(before.byModel[0]).toEqual(expect.objectContaining({ model: 'chat-default', label: 'Default' }));
    expect(
      (await post(frank.cookie, '/api/auth/delete-user', { password: 'correct horse battery' })).statusCode,
    ).toBe(200);
    const after = (await get(adminCookie, '/api/admin/usage')).json();
    expect(after.totals).toEqual(before.totals);
    expect(after.deletedAccounts.messages).toBe(1);
    expect(after.users).toBe(before.users - 1);
  });

  it('documents the account, plan, usage and admin routes in OpenAPI', async () => {
    const document = (await s.t.app.inject('/api/openapi.json')).json();
    const paths = Object.keys(document.paths);
    for (const path of [
      '/api/account/export',
      '/api/plan',
      '/api/usage',
      '/api/admin/users',
      '/api/admin/users/{id}/disabled',
      '/api/admin/plans',
      '/api/admin/models',
      '/api/admin/usage',
      '/api/admin/audit',
    ]) {
      expect(paths, path).toContain(path);
    }
    expect(
      document.paths['/api/usage'].get.parameters.map((parameter: { name: string }) => parameter.name),
    ).toEqual(['month']);
  });

  it('answers 401 to anonymous callers and 404 to signed-in users (bola.test.ts holds it for every admin route)', async () => {
    const user = await signUp(s.t.app, 'nosy@example.com');
    expect((await get(user, '/api/admin/users')).statusCode).toBe(404);
    expect((await s.t.app.inject({ method: 'GET', url: '/api/admin/users' })).statusCode).toBe(401);
  });
});
