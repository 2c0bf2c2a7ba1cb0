import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { Auth } from '../../src/auth/create-auth.js';
import { authPlugin } from '../../src/http/plugins/auth.js';

/** better-auth's session lookup, counted and slow enough that requests overlap it. */
function countingAuth(handlerStatus = 404) {
  const calls: string[] = [];
  const state = { signedIn: true };
  const auth = {
    api: {
      getSession: async ({ headers }: { headers: Headers }) => {
        calls.push(headers.get('cookie') ?? '');
        await new Promise((resolve) => setTimeout(resolve, 20));
        return state.signedIn
          ? { user: { id: 'user-1', email: 'a@example.com', name: 'A', role: 'user' } }
          : null;
      },
    },
    handler: () => Promise.resolve(new Response(null, { status: handlerStatus })),
  } as unknown as Auth;
  return { auth, calls, state };
}

async function appWith(auth: Auth, sessionCacheTtlMs?: number) {
  const app = Fastify();
  await app.register(authPlugin, { auth, ...(sessionCacheTtlMs ? { sessionCacheTtlMs } : {}) });
  app.get('/api/whoami', async (request) => ({ id: request.user?.id ?? null }));
  return app;
}

describe('session cache', () => {
  it('answers a burst of requests with one session lookup, then from memory', async () => {
    const { auth, calls } = countingAuth();
    const app = await appWith(auth);
    const burst = await Promise.all(
      Array.from({ length: 20 }, () =>
        app.inject({ url: '/api/whoami', headers: { cookie: 'session=abc' } }),
      ),
    );
    expect(burst.map((response) => response.json().id)).toEqual(Array(20).fill('user-1'));
    expect(calls).toEqual(['session=abc']);

    const later = await app.inject({ url: '/api/whoami', headers: { cookie: 'session=abc' } });
    expect(later.json().id).toBe('user-1');
    expect(calls).toHaveLength(1);

    await app.inject({ url: '/api/whoami', headers: { cookie: 'session=other' } });
    expect(calls).toEqual(['session=abc', 'session=other']);
    await app.close();
  });

  it('serves a stale answer once while it refreshes in the background, then the fresh one', async () => {
    const { auth, calls, state } = countingAuth();
    const app = await appWith(auth, 100); // refreshed after 50 ms, dropped at 100 ms
    const whoami = async () =>
      (await app.inject({ url: '/api/whoami', headers: { cookie: 'session=abc' } })).json().id;
    expect(await whoami()).toBe('user-1');
    state.signedIn = false; // e.g. signed out through another instance
    await new Promise((resolve) => setTimeout(resolve, 60)); // past half the TTL, within it
    expect(await whoami()).toBe('user-1'); // not kept waiting: the refresh runs after it
    await new Promise((resolve) => setTimeout(resolve, 30)); // the refresh has landed
    expect(calls).toHaveLength(2);
    expect(await whoami()).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 120)); // past the TTL: looked up again
    expect(await whoami()).toBeNull();
    expect(calls).toHaveLength(3);
    await app.close();
  });
  it('drops every cached session of the user after a successful auth write, before answering', async () => {
    const { auth, calls } = countingAuth(200);
    const app = await appWith(auth);
    const whoami = (cookie: string) => app.inject({ url: '/api/whoami', headers: { cookie } });
    await whoami('session=laptop');
    await whoami('session=phone'); // the same user, another session (countingAuth: always user-1)
    expect(calls).toHaveLength(2);
    await app.inject({
      method: 'POST',
      url: '/api/auth/sign-out',
      headers: { cookie: 'session=laptop' },
      payload: {},
    });
    expect(calls).toHaveLength(2); // the caller was known from the cache
    await whoami('session=phone');
    await whoami('session=laptop');
    expect(calls).toEqual(['session=laptop', 'session=phone', 'session=phone', 'session=laptop']);
    await app.close();
  });
});
