import { afterEach, describe, expect, it, vi } from 'vitest';
import { effectScope, nextTick } from 'vue';
import { createMemoryHistory, createRouter } from 'vue-router';
import { createApi } from '../api';
import { flushPromises } from '@vue/test-utils';
import { createFakeFetch, json, apiError } from '../test-support/fake-fetch';
import { useSession } from './use-session';
import { useSessionGuard } from './use-session-guard';

const me = { id: 'u1', email: 'a@example.com', name: 'A', role: 'user', plan: null };
const Empty = { template: '<div />' };

function makeRouter() {
  return createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/sign-in', name: 'sign-in', component: Empty, meta: { public: true } },
      { path: '/chatbots', name: 'chatbots', component: Empty },
      { path: '/chatbots/:id/chat', name: 'chat', component: Empty },
    ],
  });
}

async function signedInTab(routes: Parameters<typeof createFakeFetch>[0] = {}) {
  const fake = createFakeFetch({
    'GET /api/me': () => json(me),
    'POST /api/auth/sign-out': () => json({ success: true }),
    'GET /api/chatbots': () => apiError(401, 'unauthorized', 'Sign in first'),
    ...routes,
  });
  const client = createApi({ fetch: fake.fetch });
  const session = useSession(client);
  await session.load(true);
  const router = makeRouter();
  await router.push('/chatbots/b1/chat');
  const scope = effectScope();
  scope.run(() => useSessionGuard(router, client));
  return { client, session, router, scope, fake };
}

describe('useSessionGuard', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('a 401 from any API call sends a signed-in tab to sign-in, "expired", with the way back', async () => {
    const { client, session, router, scope } = await signedInTab();
    await expect(client.chatbots.list()).rejects.toMatchObject({ status: 401 });
    await flushPromises();
    expect(session.me.value).toBeNull();
    expect(session.endedReason.value).toBe('expired');
    expect(router.currentRoute.value.name).toBe('sign-in');
    expect(router.currentRoute.value.query.redirect).toBe('/chatbots/b1/chat');
    scope.stop();
  });

  it("better-auth's own 401 (a wrong password) is not a lost session", async () => {
    const { client, session, router, scope } = await signedInTab({
      'POST /api/auth/sign-in/email': () =>
        json({ code: 'INVALID_EMAIL_OR_PASSWORD', message: 'Invalid' }, 401),
    });
    await expect(client.account.signIn({ email: 'x@example.com', password: 'nope' })).rejects.toThrow();
    await flushPromises();
    expect(session.me.value).toEqual(me);
    expect(router.currentRoute.value.name).toBe('chat');
    scope.stop();
  });

  it('a sign-out in another tab signs this one out at once ("elsewhere")', async () => {
    const { session, router, scope } = await signedInTab();
    // Another tab of the same origin: its own BroadcastChannel instance.
    const otherTab = new BroadcastChannel('chatbot-builder-session');
    otherTab.postMessage({ type: 'signed-out' });
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('sign-in'));
    expect(session.endedReason.value).toBe('elsewhere');
    otherTab.close();
    scope.stop();
  });

  it('signing out here tells the other tabs', async () => {
    const { session, scope } = await signedInTab();
    const otherTab = new BroadcastChannel('chatbot-builder-session');
    const heard: unknown[] = [];
    otherTab.onmessage = (event) => heard.push(event.data);
    await session.signOut();
    await vi.waitFor(() => expect(heard).toEqual([{ type: 'signed-out' }]));
    expect(session.endedReason.value).toBeNull(); // signed out here: no "you were signed out"
    otherTab.close();
    scope.stop();
    await nextTick();
  });
});

describe('session messages', () => {
  it('falls back to the storage event where BroadcastChannel is missing', async () => {
    vi.resetModules();
    vi.stubGlobal('BroadcastChannel', undefined);
    const module = await import('./use-session');
    const heard: unknown[] = [];
    const stop = module.onSessionMessage((message) => heard.push(message));
    window.dispatchEvent(
      new StorageEvent('storage', {
        key: 'chatbot-builder:session',
        newValue: JSON.stringify({ type: 'signed-out', at: 1 }),
      }),
    );
    window.dispatchEvent(new StorageEvent('storage', { key: 'other', newValue: '{}' }));
    expect(heard).toEqual([{ type: 'signed-out', at: 1 }]);
    module.broadcastSession({ type: 'signed-out' });
    expect(JSON.parse(localStorage.getItem('chatbot-builder:session') ?? '{}')).toMatchObject({
      type: 'signed-out',
    });
    stop();
    vi.unstubAllGlobals();
  });
});
