import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import type { Chatbot } from '@app/common';
import { mountAt } from './onboarding-test-kit';
import { apiError, json, type FakeHandler } from '../../test-support/fake-fetch';
import { chatbot } from '../../test-support/fixtures';
import GettingStartedGuide from './GettingStartedGuide.vue';

const noConversations = () => json({ items: [], nextCursor: null });
const oneConversation = () =>
  json({
    items: [{ id: 'c1', chatbotId: 'b1', title: 'Hi', createdAt: '', updatedAt: '' }],
    nextCursor: null,
  });
const noPublishing = () => apiError(404, 'not_found', 'Route not found');

async function guide(chatbots: Chatbot[], routes: Record<string, FakeHandler>) {
  const mounted = await mountAt(GettingStartedGuide, { props: { chatbots }, routes });
  await flushPromises();
  return mounted;
}
const step = (wrapper: Awaited<ReturnType<typeof guide>>['wrapper'], id: string) =>
  wrapper.find(`[data-testid="guide-step-${id}"]`);

describe('GettingStartedGuide', () => {
  beforeEach(() => localStorage.clear());
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  it('a new user: nothing done, and sharing is coming soon while the server has no publishing', async () => {
    const { wrapper } = await guide([], { 'GET /api/public/gallery': noPublishing });
    expect(step(wrapper, 'create').attributes('data-done')).toBe('false');
    expect(step(wrapper, 'chat').attributes('data-done')).toBe('false');
    expect(step(wrapper, 'share').text()).toContain('Sharing is coming soon.');
    expect(wrapper.text()).toContain('0 of 3 done');
  });

  it('ticks off a chatbot and a conversation, and links to publishing once it exists', async () => {
    const { wrapper } = await guide([chatbot], {
      'GET /api/chatbots/b1/conversations': oneConversation,
      'GET /api/public/gallery': () => json([]),
      'GET /api/chatbots/b1/publication': () => json({ mode: 'off' }),
    });
    expect(step(wrapper, 'create').attributes('data-done')).toBe('true');
    expect(step(wrapper, 'chat').attributes('data-done')).toBe('true');
    expect(step(wrapper, 'share').attributes('data-done')).toBe('false');
    expect(step(wrapper, 'share').find('a').attributes('href')).toBe('/chatbots/b1/publish');
  });

  it('a chatbot not chatted with yet links to its chat', async () => {
    const { wrapper } = await guide([chatbot], {
      'GET /api/chatbots/b1/conversations': noConversations,
      'GET /api/public/gallery': noPublishing,
    });
    expect(step(wrapper, 'chat').find('a').attributes('href')).toBe('/chatbots/b1/chat');
  });

  it('is gone when all three are done', async () => {
    const { wrapper } = await guide([chatbot], {
      'GET /api/chatbots/b1/conversations': oneConversation,
      'GET /api/public/gallery': () => json([]),
      'GET /api/chatbots/b1/publication': () => json({ mode: 'link' }),
    });
    expect(wrapper.find('[data-testid="getting-started"]').exists()).toBe(false);
  });

  it('stays dismissed for this user', async () => {
    const routes = { 'GET /api/public/gallery': noPublishing };
    const { wrapper } = await guide([], routes);
    await wrapper.find('[data-testid="guide-dismiss"]').trigger('click');
    expect(wrapper.find('[data-testid="getting-started"]').exists()).toBe(false);
    wrapper.unmount();
    const again = await guide([], routes);
    expect(again.wrapper.find('[data-testid="getting-started"]').exists()).toBe(false);
  });
});
