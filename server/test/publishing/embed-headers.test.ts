import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { createAuth } from '../../src/auth/create-auth.js';
import { loadConfig } from '../../src/config/index.js';
import type { Database } from '../../src/db/database.js';
import { startModelAccess } from '../../src/runtime/model-access.js';
import { TEST_ORIGIN, type TestApp } from '../helpers/build-test-app.js';
import { createTestDatabase } from '../helpers/test-database.js';
import { owner, publish } from './publishing-fixtures.js';

/**
 * The pages of a published bot as the server sends them, with a built SPA: /embed/:slug may be
 * framed by the bot's allowed origins only; /widget.js may be loaded by any website; every other
 * page keeps frame-ancestors 'none'.
 */
describe('embed page and widget script headers', () => {
  let app: FastifyInstance;
  let database: Database;
  let spaDir: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    spaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spa-'));
    fs.writeFileSync(path.join(spaDir, 'index.html'), '<!doctype html><title>app</title>');
    fs.writeFileSync(path.join(spaDir, 'widget.js'), '(()=>{})();');
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      APP_URL: TEST_ORIGIN,
      BETTER_AUTH_SECRET: 'test-secret-test-secret-test-secret-0123',
      LITELLM_CONFIG_PATH: '/nonexistent/litellm.yaml',
      LLM_DISCOVERY: 'false',
      RATE_LIMIT_SIGN_UPS_PER_HOUR: '100000',
      RATE_LIMIT_SIGN_INS_PER_MINUTE: '100000',
    });
    database = await createTestDatabase();
    const auth = createAuth({
      db: database.db,
      secret: config.auth.secret!,
      baseUrl: config.server.appUrl,
      trustedOrigins: config.server.trustedOrigins,
      secureCookies: false,
    });
    const quiet = { info: () => {}, warn: () => {}, error: () => {} };
    const models = await startModelAccess(config, quiet);
    app = await buildApp({
      config,
      database,
      auth,
      llm: {
        client: { generate: async () => ({}) as never, chatStream: () => ({}) as never },
        mode: 'proxy',
        endpoint: 'x',
        close: async () => {},
      },
      catalog: models.catalog,
      plans: models.plans,
      spaDir,
      adminCliToken: null,
    });
    await app.ready();
    close = async () => {
      await app.close();
      await models.close();
      await database.close();
    };
  });
  afterAll(async () => {
    await close();
    fs.rmSync(spaDir, { recursive: true, force: true });
  });

  it('frames /embed/:slug only from the allowed origins, without X-Frame-Options', async () => {
    // Without a plans file everyone may publish.
    const t = { app, database } as unknown as TestApp;
    const who = await owner(t, null);
    const slug = await publish(t, who, {
      allowedOrigins: ['https://shop.example.com', 'http://localhost:5173'],
    });
    const page = await app.inject({ method: 'GET', url: `/embed/${slug}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>app</title>');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain('frame-ancestors https://shop.example.com http://localhost:5173');
    expect(csp).not.toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'self'");
    expect(page.headers['x-frame-options']).toBeUndefined();

    const linkOnly = await owner(t, null);
    const linkSlug = await publish(t, linkOnly, {
      mode: 'link',
      allowedOrigins: ['https://shop.example.com'],
    });
    for (const url of [`/embed/${linkSlug}`, '/embed/unknown-bot']) {
      const refused = await app.inject({ method: 'GET', url });
      expect(String(refused.headers['content-security-policy']), url).toContain("frame-ancestors 'none'");
    }
  });

  it("keeps frame-ancestors 'none' and X-Frame-Options on every other page", async () => {
    for (const url of ['/', '/c/some-bot', '/chatbots']) {
      const page = await app.inject({ method: 'GET', url });
      expect(String(page.headers['content-security-policy']), url).toContain("frame-ancestors 'none'");
      expect(page.headers['x-frame-options'], url).toBeDefined();
    }
  });

  it('serves /widget.js to any website, cached briefly', async () => {
    const script = await app.inject({ method: 'GET', url: '/widget.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toContain('javascript');
    expect(script.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(script.headers['cache-control']).toBe('public, max-age=300, stale-while-revalidate=86400');
    expect(script.headers['access-control-allow-origin']).toBeUndefined();
  });
});
