import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, signUp, TEST_ORIGIN } from '../helpers/build-test-app.js';
import {
  fillPath,
  pathParams,
  ROUTE_ACCESS,
  routeInventory,
  unclassified,
  type InventoryRoute,
} from './route-inventory.js';
import { leaks, seedVictim, startSecurityApp, type SecurityApp, type Victim } from './security-fixtures.js';

/**
 * Broken object-level authorization (OWASP API1): user B calls every route that takes an id with
 * user A's real ids. Every answer is 404 with the error shape and none of A's data, A's data is
 * unchanged afterwards, and no LLM call is made on A's behalf.
 */
describe('BOLA: every id route refuses another user’s ids', () => {
  let s: SecurityApp;
  let alice: Victim;
  let bobCookie: string;
  let routes: InventoryRoute[];

  beforeAll(async () => {
    s = await startSecurityApp();
    alice = await seedVictim(s.t);
    bobCookie = await signUp(s.t.app, 'bob-attacker@example.com');
    // Bob owns things too, so "not found" cannot come from an empty account.
    await s.t.app.inject({
      method: 'POST',
      url: '/api/chatbots',
      headers: as(bobCookie),
      payload: { name: 'Bob bot' },
    });
    routes = routeInventory(s.t.app);
  });
  afterAll(() => s.close());

  it('classifies every route in the route table (classify a new route in route-inventory.ts)', () => {
    expect(routes.length).toBeGreaterThanOrEqual(Object.keys(ROUTE_ACCESS).length - 2);
    expect(unclassified(routes), 'classify this new route in ROUTE_ACCESS').toEqual([]);
    // And the table names no route that is gone.
    const known = new Set(routes.map((route) => route.key));
    expect(Object.keys(ROUTE_ACCESS).filter((key) => !known.has(key))).toEqual([]);
  });

  it('answers 404 with no data when B uses A’s chatbot, conversation and message ids on every id route', async () => {
    const idRoutes = routes.filter(
      (route) => ROUTE_ACCESS[route.key]?.access === 'user' && pathParams(route.path).length > 0,
    );
    expect(idRoutes.map((route) => route.key).sort()).toEqual([
      'DELETE /api/api-keys/:id',
      'DELETE /api/chatbots/:id',
      'DELETE /api/chatbots/:id/publication/avatar',
      'DELETE /api/conversations/:id',
      'GET /api/chatbots/:id',
      'GET /api/chatbots/:id/analytics',
      'GET /api/chatbots/:id/analytics.csv',
      'GET /api/chatbots/:id/conversations',
      'GET /api/chatbots/:id/inbox',
      'GET /api/chatbots/:id/inbox/:conversationId',
      'GET /api/chatbots/:id/publication',
      'GET /api/conversations/:id',
      'GET /api/conversations/:id/live',
      'PATCH /api/chatbots/:id',
      'PATCH /api/conversations/:id',
      'POST /api/chatbots/:id/chat',
      'POST /api/conversations/:id/regenerate',
      'POST /api/messages/:id/edit',
      'POST /api/messages/:id/regenerate',
      'POST /api/messages/:id/stop',
      'PUT /api/chatbots/:id/publication',
      'PUT /api/chatbots/:id/publication/avatar',
      'PUT /api/conversations/:id/active',
    ]);
    const aliceIds = [alice.chatbotId, alice.conversationId, alice.userMessageId, alice.assistantMessageId];
    const upstreamBefore = s.mock.requests.length;
    const failures: string[] = [];
    let tried = 0;
    for (const route of idRoutes) {
      for (const id of aliceIds) {
        for (const method of route.method === 'GET' ? ['GET', 'HEAD'] : [route.method]) {
          for (const accept of route.key.includes('/chat') || route.key.includes('/regenerate')
            ? ['application/json', 'text/event-stream']
            : ['application/json']) {
            tried++;
            const body = ROUTE_ACCESS[route.key]!.validBody;
            const response = await s.t.app.inject({
              method: method as 'GET',
              url: fillPath(route.path, id),
              headers: { ...as(bobCookie), accept },
              ...(body ? { payload: body } : {}),
            });
            const label = `${method} ${fillPath(route.path, id)} (${accept})`;
            if (response.statusCode !== 404) failures.push(`${label} → ${response.statusCode}`);
            if (
              method !== 'HEAD' &&
              response.json<{ error?: { code?: string } }>().error?.code !== 'not_found'
            )
              failures.push(`${label} → body ${response.body}`);
            const otherIds = aliceIds.filter((other) => other !== id);
            failures.push(
              ...leaks([response.body, JSON.stringify(response.headers)], [...alice.secrets, ...otherIds]),
            );
          }
        }
      }
    }
    console.info(`bola: ${tried} cross-user requests on ${idRoutes.length} id routes`);
    expect(failures).toEqual([]);
    expect(tried).toBeGreaterThan(40);
    // No LLM call was made with A's chatbot, prompt or history.
    expect(s.mock.requests.length).toBe(upstreamBefore);
  });

  it('refuses a chat into A’s conversation through B’s own chatbot (conversationId in the body)', async () => {
    const bobBot = (
      await s.t.app.inject({ method: 'GET', url: '/api/chatbots', headers: as(bobCookie) })
    ).json<Array<{ id: string }>>()[0]!;
    const before = s.mock.requests.length;
    const response = await s.t.app.inject({
      method: 'POST',
      url: `/api/chatbots/${bobBot.id}/chat`,
      headers: { ...as(bobCookie), accept: 'application/json' },
      payload: { message: 'continue please', conversationId: alice.conversationId },
    });
    expect(response.statusCode).toBe(404);
    expect(leaks([response.body], alice.secrets)).toEqual([]);
    expect(s.mock.requests.length).toBe(before);
  });

  it('leaves A’s data untouched and never shows it in B’s lists, usage or profile', async () => {
    const bobLists = await Promise.all(
      ['/api/chatbots', '/api/usage', '/api/me', '/api/llm/models'].map((url) =>
        s.t.app.inject({ method: 'GET', url, headers: as(bobCookie) }),
      ),
    );
    for (const response of bobLists) expect(response.statusCode).toBe(200);
    expect(
      leaks(
        bobLists.map((response) => response.body),
        [...alice.secrets, alice.chatbotId, alice.conversationId],
      ),
    ).toEqual([]);

    const bot = await s.t.app.inject({
      method: 'GET',
      url: `/api/chatbots/${alice.chatbotId}`,
      headers: as(alice.cookie),
    });
    expect(bot.json()).toMatchObject({ name: 'Alice Private Bot QX7' });
    const conversation = await s.t.app.inject({
      method: 'GET',
      url: `/api/conversations/${alice.conversationId}`,
      headers: as(alice.cookie),
    });
    expect(conversation.statusCode).toBe(200);
    expect(conversation.json<{ messages: unknown[] }>().messages).toHaveLength(2);
  });

  it('answers 401 to anonymous callers on every user and admin route', async () => {
    const guarded = routes.filter((route) => ROUTE_ACCESS[route.key]?.access !== 'public');
    const failures: string[] = [];
    for (const route of guarded) {
      const body = ROUTE_ACCESS[route.key]!.validBody;
      for (const cookie of [undefined, 'better-auth.session_token=forged.token']) {
        const response = await s.t.app.inject({
          method: route.method as 'GET',
          url: fillPath(route.path, alice.chatbotId),
          headers: { origin: TEST_ORIGIN, ...(cookie ? { cookie } : {}) },
          ...(body ? { payload: body } : {}),
        });
        if (response.statusCode !== 401 || response.json().error?.code !== 'unauthorized')
          failures.push(`${route.key} (${cookie ? 'forged' : 'no'} cookie) → ${response.statusCode}`);
        failures.push(...leaks([response.body], alice.secrets));
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers 404 (as to an unknown route) to a signed-in non-admin on every admin route, and changes nothing', async () => {
    const adminRoutes = routes.filter((route) => ROUTE_ACCESS[route.key]?.access === 'admin');
    expect(adminRoutes.length).toBeGreaterThan(6);
    const bobId = (await s.t.app.inject({ method: 'GET', url: '/api/me', headers: as(bobCookie) })).json().id;
    for (const route of adminRoutes) {
      const body = ROUTE_ACCESS[route.key]!.validBody;
      const response = await s.t.app.inject({
        method: route.method as 'POST',
        url: fillPath(route.path, bobId),
        headers: as(bobCookie),
        ...(body
          ? { payload: { ...body, ...('email' in body ? { email: 'bob-attacker@example.com' } : {}) } }
          : {}),
      });
      expect(response.statusCode, route.key).toBe(404);
      expect(response.json().error.code).toBe('not_found');
      expect(response.body, route.key).not.toContain('bob-attacker@example.com');
    }
    const me = await s.t.app.inject({ method: 'GET', url: '/api/me', headers: as(bobCookie) });
    expect(me.json()).toMatchObject({ role: 'user', plan: null });
  });
});
