import { vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import type { Component } from 'vue';
import { createMemoryHistory, createRouter, type Router } from 'vue-router';
import { resetServerInfo } from '../../composables/use-server-info';
import { useSession } from '../../composables/use-session';
import { createFakeFetch, json, type FakeHandler } from '../../test-support/fake-fetch';
import { models, serverInfo } from '../../test-support/fixtures';

const Empty = { template: '<div />' };

/** The app's route names the onboarding links to, with empty pages. */
export function onboardingRouter(): Router {
  return createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', name: 'landing', component: Empty },
      { path: '/sign-in', name: 'sign-in', component: Empty },
      { path: '/sign-up', name: 'sign-up', component: Empty },
      { path: '/chatbots', name: 'chatbots', component: Empty },
      { path: '/chatbots/new', name: 'chatbot-new', component: Empty },
      { path: '/chatbots/:id/edit', name: 'chatbot-edit', component: Empty },
      { path: '/chatbots/:id/publish', name: 'chatbot-publish', component: Empty },
      { path: '/chatbots/:id/chat', name: 'chat', component: Empty },
      { path: '/c/:slug', name: 'share', component: Empty },
      { path: '/admin', name: 'admin', component: Empty },
    ],
  });
}

export const me = { id: 'u1', email: 'ada@example.com', name: 'Ada', role: 'user', plan: null };

/**
 * Mounts a page or component at `path` over a fake transport (the server's answers by route), with
 * the module caches (server info, session) reset.
 */
export async function mountAt(
  component: Component,
  options: { path?: string; routes?: Record<string, FakeHandler>; props?: Record<string, unknown> } = {},
) {
  resetServerInfo();
  const fake = createFakeFetch({
    'GET /api/config': () => json(serverInfo),
    'GET /api/me': () => json(me),
    'GET /api/llm/models': () => json(models),
    ...options.routes,
  });
  vi.stubGlobal('fetch', fake.fetch);
  await useSession().load(true);
  const router = onboardingRouter();
  await router.push(options.path ?? '/');
  const wrapper = mount(component, {
    props: options.props,
    attachTo: document.body,
    global: { plugins: [router] },
  });
  await flushPromises();
  return { wrapper, router, fake };
}
