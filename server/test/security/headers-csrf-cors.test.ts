import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createAuth } from '../../src/auth/create-auth.js';
import { loadConfig } from '../../src/config/index.js';
import { errorHandlerPlugin } from '../../src/http/plugins/error-handler.js';
import { originCheckPlugin } from '../../src/http/plugins/origin-check.js';
import { startModelAccess } from '../../src/runtime/model-access.js';
import { as, buildTestApp, TEST_ORIGIN, type TestApp } from '../helpers/build-test-app.js';
import { createTestDatabase } from '../helpers/test-database.js';

const FOREIGN = 'https://evil.example';

describe('security headers, session cookie, CSRF and CORS', () => {
  let t: TestApp;
  let cookie: string;
  let signUpCookies: string[];
  let chatbotId: string;

  beforeAll(async () => {
    t = await buildTestApp();
    const signUp = await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-up/email',
      headers: { origin: TEST_ORIGIN, 'content-type': 'application/json' },
      payload: { email: 'headers@example.com', password: 'correct horse battery', name: 'h' },
    });
    expect(signUp.statusCode).toBe(200);
    // A sign-up never signs in (it answers the same for a taken email): the session comes from sign-in.
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      headers: { origin: TEST_ORIGIN, 'content-type': 'application/json' },
      payload: { email: 'headers@example.com', password: 'correct horse battery' },
    });
    signUpCookies = [response.headers['set-cookie'] ?? []].flat();
    cookie = signUpCookies.map((line) => line.split(';')[0]).join('; ');
    chatbotId = (
      await t.app.inject({
        method: 'POST',
        url: '/api/chatbots',
        headers: as(cookie),
        payload: { name: 'b' },
      })
    ).json<{ id: string }>().id;
  });
  afterAll(() => t.close());

  it("sets helmet's page headers on pages (the SPA fallback, health, the docs UI, better-auth's error page)", async () => {
    for (const url of ['/healthz', '/chat/some-page', '/api/docs', '/api/auth/error?error=x']) {
      const response = await t.app.inject({ method: 'GET', url, headers: as(cookie) });
      const headers = response.headers;
      expect(headers['content-security-policy'], url).toContain("default-src 'self'");
      expect(headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
      expect(headers['content-security-policy'], url).toContain("object-src 'none'");
      expect(headers['content-security-policy'], url).not.toContain('unsafe-eval');
      expect(headers['x-content-type-options'], url).toBe('nosniff');
      expect(headers['x-frame-options'], url).toBe('SAMEORIGIN');
      expect(headers['referrer-policy'], url).toBe('no-referrer');
      expect(headers['strict-transport-security'], url).toMatch(/max-age=\d+/);
      expect(headers['cross-origin-opener-policy'], url).toBe('same-origin');
      expect(headers['x-powered-by'], url).toBeUndefined();
    }
  });

  it("sets OWASP's REST header set on API answers and errors: nothing runs, frames, sniffs or leaks", async () => {
    for (const url of ['/api/me', '/api/nothing-here', '/api/config', '/api/openapi.json', '/api?x=1']) {
      const response = await t.app.inject({ method: 'GET', url, headers: as(cookie) });
      const headers = response.headers;
      expect(headers['content-security-policy'], url).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(headers['x-content-type-options'], url).toBe('nosniff');
      expect(headers['x-frame-options'], url).toBe('DENY');
      expect(headers['referrer-policy'], url).toBe('no-referrer');
      expect(headers['cross-origin-resource-policy'], url).toBe('same-origin');
      expect(headers['strict-transport-security'], url).toMatch(/max-age=\d+; includeSubDomains/);
      expect(headers['x-powered-by'], url).toBeUndefined();
      // Document-only headers (they mean nothing to a JSON answer) stay off the API.
      expect(headers['cross-origin-opener-policy'], url).toBeUndefined();
      expect(headers['x-dns-prefetch-control'], url).toBeUndefined();
    }
  });

  it('issues the session cookie HttpOnly and SameSite=Lax (no Secure over plain http)', () => {
    const session = signUpCookies.find((line) => line.startsWith('better-auth.session_token='));
    expect(session).toBeDefined();
    for (const line of signUpCookies) {
      expect(line, line).toMatch(/;\s*HttpOnly/i);
      expect(line, line).toMatch(/;\s*SameSite=Lax/i);
      expect(line, line).toMatch(/;\s*Path=\//i);
      expect(line, line).not.toMatch(/;\s*Secure/i);
    }
  });

  it('has better-auth refuse cookie-carrying auth writes from a foreign origin (403)', async () => {
    for (const [url, payload] of [
      ['/api/auth/sign-out', {}],
      ['/api/auth/update-user', { name: 'csrf' }],
      ['/api/auth/sign-in/email', { email: 'headers@example.com', password: 'correct horse battery' }],
    ] as const) {
      const response = await t.app.inject({
        method: 'POST',
        url,
        headers: { cookie, origin: FOREIGN, 'content-type': 'application/json' },
        payload,
      });
      expect(response.statusCode, url).toBe(403);
    }
    // The session survived the forged sign-out.
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers: as(cookie) })).statusCode).toBe(200);
  });

  it('refuses cookie-carrying writes to our API from a foreign origin (403 forbidden), nothing changed', async () => {
    const writes = [
      { method: 'POST', url: '/api/chatbots', payload: { name: 'csrf bot' } },
      { method: 'PATCH', url: `/api/chatbots/${chatbotId}`, payload: { name: 'csrf renamed' } },
      { method: 'DELETE', url: `/api/chatbots/${chatbotId}` },
      { method: 'POST', url: `/api/chatbots/${chatbotId}/chat`, payload: { message: 'csrf' } },
      { method: 'POST', url: '/api/prompts/generate', payload: { description: 'csrf helper' } },
    ] as const;
    const answers: string[] = [];
    for (const origin of [FOREIGN, 'null', 'http://localhost:3000.evil.example']) {
      for (const write of writes) {
        const response = await t.app.inject({
          method: write.method,
          url: write.url,
          headers: {
            cookie,
            origin,
            accept: 'application/json',
            ...('payload' in write ? { 'content-type': 'application/json' } : {}),
          },
          ...('payload' in write ? { payload: write.payload } : {}),
        });
        answers.push(`${origin} ${write.method} ${write.url} → ${response.statusCode}`);
        if (response.statusCode === 403) expect(response.json().error.code).toBe('forbidden');
      }
    }
    expect(answers.filter((answer) => !answer.endsWith('→ 403'))).toEqual([]);
    const bots = (await t.app.inject({ method: 'GET', url: '/api/chatbots', headers: as(cookie) })).json<
      Array<{ name: string }>
    >();
    expect(bots.map((bot) => bot.name)).toEqual(['b']);
  });

  it('sends no CORS allowance to foreign origins, preflight or not', async () => {
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/chatbots',
      headers: {
        origin: FOREIGN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.statusCode).toBeGreaterThanOrEqual(400);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    for (const url of ['/api/me', '/api/chatbots', '/api/auth/get-session', '/api/config']) {
      const response = await t.app.inject({ method: 'GET', url, headers: { cookie, origin: FOREIGN } });
      expect(response.headers['access-control-allow-origin'], url).toBeUndefined();
      expect(response.headers['access-control-allow-credentials'], url).toBeUndefined();
    }
  });
});

describe('origin-check plugin', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = Fastify();
    await app.register(errorHandlerPlugin);
    await app.register(originCheckPlugin, { trustedOrigins: [TEST_ORIGIN, 'https://admin.example.com/'] });
    app.post('/api/things', async () => ({ ok: true }));
    app.get('/api/things', async () => ({ ok: true }));
    app.post('/api/auth/sign-in/email', async () => ({ auth: true }));
    await app.ready();
  });
  afterAll(() => app.close());

  const post = (headers: Record<string, string>, url = '/api/things') =>
    app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', ...headers },
      payload: {},
    });

  it('lets same-origin, trusted and origin-less (non-browser) writes through', async () => {
    expect((await post({ origin: TEST_ORIGIN })).statusCode).toBe(200);
    expect((await post({ origin: 'https://admin.example.com' })).statusCode).toBe(200);
    expect((await post({})).statusCode).toBe(200);
    expect((await post({ 'sec-fetch-site': 'same-origin' })).statusCode).toBe(200);
  });

  it('refuses foreign, null and look-alike origins, and cross-site fetches without Origin', async () => {
    const refused: Array<Record<string, string>> = [
      { origin: FOREIGN },
      { origin: 'null' },
      { origin: `${TEST_ORIGIN}.evil.example` },
      { origin: 'http://localhost:3001' },
      { 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of refused) {
      const response = await post(headers);
      expect(response.statusCode, JSON.stringify(headers)).toBe(403);
      expect(response.json()).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
    }
  });

  it('leaves reads and better-auth’s own routes to their own checks', async () => {
    expect(
      (await app.inject({ method: 'GET', url: '/api/things', headers: { origin: FOREIGN } })).statusCode,
    ).toBe(200);
    expect((await post({ origin: FOREIGN }, '/api/auth/sign-in/email')).statusCode).toBe(200);
  });
});

describe('session cookie behind HTTPS (APP_URL=https://…)', () => {
  it('is Secure (with the __Secure- prefix), HttpOnly and SameSite=Lax', async () => {
    const appUrl = 'https://chat.example.com';
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      APP_URL: appUrl,
      BETTER_AUTH_SECRET: 'test-secret-test-secret-test-secret-0123',
      LITELLM_CONFIG_PATH: '/nonexistent/litellm.yaml',
      LLM_DISCOVERY: 'false',
    });
    const database = await createTestDatabase();
    const models = await startModelAccess(config, { info: () => {}, warn: () => {}, error: () => {} });
    // The same rule as main.ts: secure cookies exactly when APP_URL is https.
    const auth = createAuth({
      db: database.db,
      secret: config.auth.secret!,
      baseUrl: config.server.appUrl,
      trustedOrigins: config.server.trustedOrigins,
      secureCookies: config.server.appUrl.startsWith('https://'),
    });
    const app = await buildApp({
      config,
      database,
      auth,
      llm: { client: null!, mode: 'proxy', endpoint: 'http://fake.invalid/v1', close: async () => {} },
      catalog: models.catalog,
      plans: models.plans,
      spaDir: null,
      adminCliToken: null,
    });
    try {
      const headers = { origin: appUrl, 'content-type': 'application/json', 'x-forwarded-proto': 'https' };
      const signUp = await app.inject({
        method: 'POST',
        url: '/api/auth/sign-up/email',
        headers,
        payload: { email: 'secure@example.com', password: 'correct horse battery', name: 's' },
      });
      expect(signUp.statusCode).toBe(200);
      const response = await app.inject({
        method: 'POST',
        url: '/api/auth/sign-in/email',
        headers,
        payload: { email: 'secure@example.com', password: 'correct horse battery' },
      });
      expect(response.statusCode).toBe(200);
      const cookies = [response.headers['set-cookie'] ?? []].flat();
      expect(cookies.some((line) => line.startsWith('__Secure-better-auth.session_token='))).toBe(true);
      for (const line of cookies) {
        expect(line, line).toMatch(/;\s*Secure/i);
        expect(line, line).toMatch(/;\s*HttpOnly/i);
        expect(line, line).toMatch(/;\s*SameSite=Lax/i);
      }
      // A signed-in request with that cookie works (the prefix is read back).
      const me = await app.inject({
        method: 'GET',
        url: '/api/me',
        headers: { cookie: cookies.map((line) => line.split(';')[0]).join('; ') },
      });
      // The only account on this instance, so its administrator (issue 25).
      expect(me.json()).toMatchObject({ email: 'secure@example.com', role: 'admin' });
    } finally {
      await app.close();
      await models.close();
      await database.close();
    }
  });
});
