import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import type { PlanLimits } from '../../src/config/plans.js';
import { errorHandlerPlugin } from '../../src/http/plugins/error-handler.js';
import {
  LLM_RATE_LIMITED,
  rateLimitPlugin,
  type RateLimitPluginOptions,
} from '../../src/http/plugins/rate-limit.js';
import { deleteKeys, recordingLogger, testRedis, uniquePrefix } from './limits-helpers.js';

/**
 * A small app with the real error handler and the real rate-limit plugin. The signed-in user comes
 * from an `x-user` header here (the real app resolves it from the session cookie in the auth plugin,
 * which has the same name and runs first).
 */
const headerAuth = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('user', null);
    app.addHook('onRequest', async (request) => {
      const id = request.headers['x-user'];
      if (typeof id === 'string') request.user = { id, email: `${id}@example.com`, name: id, role: 'user' };
    });
  },
  { name: 'auth' },
);

const PLANS: Record<string, PlanLimits> = { basic: { requestsPerMinute: 3 }, pro: { requestsPerMinute: 5 } };

async function smallApp(options: Partial<RateLimitPluginOptions> = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await app.register(errorHandlerPlugin);
  await app.register(headerAuth);
  await app.register(rateLimitPlugin, {
    redis: null,
    planLimitsFor: async (request) => {
      const plan = request.user?.id.startsWith('pro-') ? 'pro' : request.user ? 'basic' : null;
      return { plan, limits: plan ? PLANS[plan]! : { requestsPerMinute: 2 } };
    },
    signIn: { max: 3, timeWindowMs: 60_000 },
    signUp: { max: 2, timeWindowMs: 3_600_000 },
    ...options,
  });
  await app.register(async (routes) => {
    routes.post('/api/chatbots/:id/chat', { config: LLM_RATE_LIMITED }, async () => ({ answered: true }));
    routes.post('/api/prompts/generate', { config: LLM_RATE_LIMITED }, async () => ({ generated: true }));
    routes.get('/api/chatbots', async () => []);
    routes.post('/api/auth/*', async () => ({ auth: true }));
  });
  await app.ready();
  return app;
}

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function track(app: Promise<FastifyInstance>) {
  const ready = await app;
  apps.push(ready);
  return ready;
}

const chat = (app: FastifyInstance, user?: string, ip = '10.0.0.1') =>
  app.inject({
    method: 'POST',
    url: '/api/chatbots/c1/chat',
    headers: user ? { 'x-user': user } : {},
    remoteAddress: ip,
  });

describe('rate-limit plugin (per process)', () => {
  it("limits LLM routes to the plan's requests per minute, answering our error shape with Retry-After", async () => {
    const app = await track(smallApp());
    for (let index = 0; index < 3; index += 1) expect((await chat(app, 'alice')).statusCode).toBe(200);
    const refused = await chat(app, 'alice');
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({
      error: {
        code: 'rate_limited',
        message: expect.stringContaining('"basic" plan allows 3 LLM requests per minute (requestsPerMinute)'),
      },
    });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.headers['x-ratelimit-limit']).toBe('3');
    // Another user, a bigger plan, and routes without the marker are counted apart.
    for (let index = 0; index < 5; index += 1) expect((await chat(app, 'pro-bob')).statusCode).toBe(200);
    expect((await chat(app, 'pro-bob')).statusCode).toBe(429);
    expect(
      (await app.inject({ method: 'GET', url: '/api/chatbots', headers: { 'x-user': 'alice' } })).statusCode,
    ).toBe(200);
  });

  it('counts all LLM routes of a user together, and anonymous callers per IP', async () => {
    const app = await track(smallApp());
    const generate = () =>
      app.inject({ method: 'POST', url: '/api/prompts/generate', headers: { 'x-user': 'carol' } });
    expect((await chat(app, 'carol')).statusCode).toBe(200);
    expect((await generate()).statusCode).toBe(200);
    expect((await chat(app, 'carol')).statusCode).toBe(200);
    expect((await generate()).statusCode).toBe(429);

    expect((await chat(app, undefined, '10.0.0.7')).statusCode).toBe(200);
    expect((await chat(app, undefined, '10.0.0.7')).statusCode).toBe(200);
    const anonymous = await chat(app, undefined, '10.0.0.7');
    expect(anonymous.statusCode).toBe(429);
    expect(anonymous.json().error.message).toContain('an account without a plan');
    expect((await chat(app, undefined, '10.0.0.8')).statusCode).toBe(200);
  });

  it('limits sign-in and sign-up per IP, and nothing else under /api/auth', async () => {
    const app = await track(smallApp());
    const post = (url: string, ip: string) =>
      app.inject({ method: 'POST', url, remoteAddress: ip, payload: {} });
    for (let index = 0; index < 3; index += 1)
      expect((await post('/api/auth/sign-in/email', '10.0.0.1')).statusCode).toBe(200);
    const guessing = await post('/api/auth/sign-in/email', '10.0.0.1');
    expect(guessing.statusCode).toBe(429);
    expect(guessing.json().error).toMatchObject({
      code: 'rate_limited',
      message: expect.stringContaining('sign-in attempts from this address: at most 3 per minute'),
    });
    expect(guessing.headers['retry-after']).toBeDefined();
    expect((await post('/api/auth/sign-in/email?x=1', '10.0.0.1')).statusCode).toBe(429);
    expect((await post('/api/auth/sign-in/email', '10.0.0.2')).statusCode).toBe(200);

    expect((await post('/api/auth/sign-up/email', '10.0.0.1')).statusCode).toBe(200);
    expect((await post('/api/auth/sign-up/email', '10.0.0.1')).statusCode).toBe(200);
    const farming = await post('/api/auth/sign-up/email', '10.0.0.1');
    expect(farming.statusCode).toBe(429);
    expect(farming.json().error.message).toContain('sign-ups from this address: at most 2 per hour');
    expect(Number(farming.headers['retry-after'])).toBeGreaterThan(60);

    for (let index = 0; index < 5; index += 1)
      expect((await post('/api/auth/sign-out', '10.0.0.1')).statusCode).toBe(200);
  });

  it('counts a better-auth path by what it resolves to: dot segments, %2e, a fragment, case and slashes', async () => {
    const app = await track(smallApp());
    const post = (url: string) => app.inject({ method: 'POST', url, remoteAddress: '10.0.3.1', payload: {} });
    for (const url of [
      '/api/auth/./sign-in/email',
      '/api/auth/x/%2e%2e/sign-in/email',
      '/api/auth/sign-in/email#x',
    ])
      expect((await post(url)).statusCode, url).toBe(200);
    for (const url of [
      '/api/auth/sign-in/email',
      '/api/auth/sign-in/email/',
      '/api/auth//sign-in//email',
      '/api/auth/SIGN-IN/email',
      '/api/auth/sign-%69n/email',
    ])
      expect((await post(url)).statusCode, url).toBe(429);
    // Only what is routed to the better-auth catch-all is looked at.
    expect(
      (await app.inject({ method: 'GET', url: '/api/chatbots', remoteAddress: '10.0.3.1' })).statusCode,
    ).toBe(200);
  });
});

describe('rate-limit plugin on Redis', () => {
  let redis: Redis;
  const prefixes: string[] = [];
  beforeAll(() => {
    redis = testRedis();
  });
  afterAll(async () => {
    for (const prefix of prefixes) await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('shares one count between two app instances', async () => {
    const keyPrefix = uniquePrefix();
    prefixes.push(keyPrefix);
    const otherClient = testRedis();
    const first = await track(smallApp({ redis, keyPrefix }));
    const second = await track(smallApp({ redis: otherClient, keyPrefix }));
    expect((await chat(first, 'dave')).statusCode).toBe(200);
    expect((await chat(second, 'dave')).statusCode).toBe(200);
    expect((await chat(first, 'dave')).statusCode).toBe(200);
    const refused = await chat(second, 'dave');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);

    const signIn = (app: FastifyInstance) =>
      app.inject({ method: 'POST', url: '/api/auth/sign-in/email', remoteAddress: '10.9.9.9', payload: {} });
    expect((await signIn(first)).statusCode).toBe(200);
    expect((await signIn(second)).statusCode).toBe(200);
    expect((await signIn(first)).statusCode).toBe(200);
    expect((await signIn(second)).statusCode).toBe(429);
    otherClient.disconnect();
  });

  it('names its keys <prefix><limit>:<client> (never "undefined"), each with the window as its TTL', async () => {
    const keyPrefix = uniquePrefix();
    prefixes.push(keyPrefix);
    const app = await track(smallApp({ redis, keyPrefix }));
    expect((await chat(app, 'gina')).statusCode).toBe(200);
    expect((await chat(app, undefined, '10.0.4.1')).statusCode).toBe(200);
    const auth = (url: string) => app.inject({ method: 'POST', url, remoteAddress: '10.0.4.2', payload: {} });
    expect((await auth('/api/auth/sign-in/email')).statusCode).toBe(200);
    expect((await auth('/api/auth/sign-up/email')).statusCode).toBe(200);
    expect((await auth('/api/auth/sign-out')).statusCode).toBe(200);
    const keys = (await redis.keys(`${keyPrefix}*`)).sort();
    expect(keys).toEqual([
      `${keyPrefix}auth:sign-in:10.0.4.2`,
      `${keyPrefix}auth:sign-up:10.0.4.2`,
      `${keyPrefix}llm:ip:10.0.4.1`,
      `${keyPrefix}llm:user:gina`,
    ]);
    const ttls = await Promise.all(keys.map((key) => redis.pttl(key)));
    expect(ttls[0]).toBeGreaterThan(55_000);
    expect(ttls[0]).toBeLessThanOrEqual(60_000);
    expect(ttls[1]).toBeGreaterThan(3_500_000);
    expect(ttls[3]).toBeLessThanOrEqual(60_000);
    expect(await redis.get(`${keyPrefix}llm:user:gina`)).toBe('1');
  });

  it('uses rate: as the default prefix', async () => {
    const user = `key-test-${uniquePrefix().slice(5, 13)}`;
    const app = await track(smallApp({ redis }));
    try {
      expect((await chat(app, user)).statusCode).toBe(200);
      expect(await redis.keys(`*${user}*`)).toEqual([`rate:llm:user:${user}`]);
    } finally {
      await redis.del(`rate:llm:user:${user}`);
    }
  });

  it('fails open when Redis is gone: requests pass, a warning is logged, nothing hangs', async () => {
    const keyPrefix = uniquePrefix();
    const broken = testRedis();
    broken.disconnect();
    const logger = recordingLogger();
    const app = Fastify({ loggerInstance: undefined, logger: false });
    // The plugin logs through app.log: capture it.
    app.log.warn = ((message: string) => logger.warn(message)) as typeof app.log.warn;
    await app.register(errorHandlerPlugin);
    await app.register(headerAuth);
    await app.register(rateLimitPlugin, {
      redis: broken,
      keyPrefix,
      planLimitsFor: async () => ({ plan: 'basic', limits: { requestsPerMinute: 1 } }),
    });
    app.post('/api/chatbots/:id/chat', { config: LLM_RATE_LIMITED }, async () => ({ answered: true }));
    apps.push(app);
    for (let index = 0; index < 3; index += 1) expect((await chat(app, 'erin')).statusCode).toBe(200);
    expect(
      logger.warnings().filter((line) => line.includes('request-rate limits are NOT enforced')),
    ).toHaveLength(1);
  });

  it('fails closed when configured so: 503 with our shape', async () => {
    const broken = testRedis();
    broken.disconnect();
    const app = await track(smallApp({ redis: broken, keyPrefix: uniquePrefix(), failureMode: 'closed' }));
    const refused = await chat(app, 'frank');
    expect(refused.statusCode).toBe(503);
    expect(refused.json().error.code).toBe('service_unavailable');
  });
});
