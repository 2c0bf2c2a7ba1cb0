import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, buildTestApp, signUp, type TestApp } from '../helpers/build-test-app.js';

describe('the invites API', () => {
  let t: TestApp;
  let admin: string;
  let member: string;
  beforeAll(async () => {
    t = await buildTestApp({ env: { SIGNUP: 'invite' }, adminCliToken: 'cli-token-for-tests' });
    admin = await signUp(t.app, 'owner@example.com');
    const invite = await t.app.inject({
      method: 'POST',
      url: '/api/admin/invites',
      headers: as(admin),
      payload: {},
    });
    const code = invite.json().code as string;
    await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-up/email',
      headers: { origin: 'http://localhost:3000', 'content-type': 'application/json' },
      payload: {
        email: 'member@example.com',
        password: 'correct horse battery',
        name: 'M',
        inviteCode: code,
      },
    });
    const { signIn } = await import('../helpers/build-test-app.js');
    member = await signIn(t.app, 'member@example.com');
  });
  afterAll(() => t.close());

  it('answers 401 to anonymous callers and 404 to normal users', async () => {
    for (const [method, url] of [
      ['GET', '/api/admin/invites'],
      ['POST', '/api/admin/invites'],
      ['DELETE', '/api/admin/invites/x'],
    ] as const) {
      const payload = method === 'POST' ? {} : undefined;
      expect((await t.app.inject({ method, url, payload })).statusCode).toBe(401);
      expect((await t.app.inject({ method, url, headers: as(member), payload })).statusCode).toBe(404);
    }
  });

  it('creates (default 7 days), lists without codes, revokes, and audits both', async () => {
    const before = Date.now();
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/admin/invites',
      headers: as(admin),
      payload: { email: 'Zoe@Example.com' },
    });
    expect(created.statusCode).toBe(201);
    const invite = created.json();
    expect(invite).toMatchObject({
      email: 'zoe@example.com',
      status: 'open',
      createdBy: 'owner@example.com',
    });
    const lasts = Date.parse(invite.expiresAt) - before;
    expect(lasts).toBeGreaterThan(7 * 24 * 3_600_000 - 60_000);
    expect(lasts).toBeLessThan(7 * 24 * 3_600_000 + 60_000);

    const list = (
      await t.app.inject({ method: 'GET', url: '/api/admin/invites', headers: as(admin) })
    ).json();
    expect(list[0]).toMatchObject({ id: invite.id, status: 'open' });
    expect(list.some((row: { status: string }) => row.status === 'used')).toBe(true);
    expect(JSON.stringify(list)).not.toContain(invite.code);

    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/api/admin/invites/${invite.id}`,
      headers: as(admin),
    });
    expect(revoked.statusCode).toBe(204);
    const missing = await t.app.inject({
      method: 'DELETE',
      url: `/api/admin/invites/${invite.id}`,
      headers: as(admin),
    });
    expect(missing.statusCode).toBe(404);

    const audit = (await t.app.inject({ method: 'GET', url: '/api/admin/audit', headers: as(admin) })).json();
    expect(audit.map((row: { action: string }) => row.action)).toEqual(
      expect.arrayContaining(['invite_create', 'invite_revoke']),
    );
    expect(JSON.stringify(audit)).not.toContain(invite.code);
  });

  it('refuses bad bodies with a sentence on the field', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/admin/invites',
      headers: as(admin),
      payload: { email: 'not an email', expiresInHours: 0 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('validation_failed');
    expect(bad.body).toMatch(/Enter an email address/);
  });

  it('works with the admin CLI token, audited as the admin CLI; never-expiring invites too', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/admin/invites',
      headers: { 'x-admin-token': 'cli-token-for-tests' },
      payload: { expiresInHours: null },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ createdBy: 'admin CLI', expiresAt: null });
  });

  it('is documented in OpenAPI', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/api/admin/invites', '/api/admin/invites/{id}']),
    );
    expect(
      spec.paths['/api/config'].get.responses['200'].content['application/json'].schema.properties,
    ).toHaveProperty('signup');
  });
});
