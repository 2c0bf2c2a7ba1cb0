import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import { mountAt } from '../components/onboarding/onboarding-test-kit';
import { rememberSuggestions, suggestionsFor } from '../components/onboarding/suggested-questions';
import { apiError, json } from '../test-support/fake-fetch';
import { chatbot } from '../test-support/fixtures';
import ChatbotListPage from './ChatbotListPage.vue';

const noPublishing = () => apiError(404, 'not_found', 'Route not found');

describe('ChatbotListPage for a new user', () => {
  beforeEach(() => localStorage.clear());
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  it('an empty list starts from the templates, under the guide', async () => {
    const { wrapper } = await mountAt(ChatbotListPage, {
      path: '/chatbots',
      routes: { 'GET /api/chatbots': () => json([]), 'GET /api/public/gallery': noPublishing },
    });
    await flushPromises();
    expect(wrapper.find('[data-testid="chatbots-empty"] h2').text()).toBe('No chatbots yet');
    expect(wrapper.findAll('.template-card')).toHaveLength(6);
    expect(wrapper.find('[data-testid="getting-started"]').exists()).toBe(true);
  });

  it('deleting a chatbot forgets its suggested questions', async () => {
    rememberSuggestions('b1', ['One?']);
    vi.stubGlobal('confirm', () => true);
    const { wrapper } = await mountAt(ChatbotListPage, {
      path: '/chatbots',
      routes: {
        'GET /api/chatbots': () => json([chatbot]),
        'DELETE /api/chatbots/b1': () => new Response(null, { status: 204 }),
        'GET /api/chatbots/b1/conversations': () => json({ items: [], nextCursor: null }),
        'GET /api/public/gallery': noPublishing,
      },
    });
    await wrapper.find('[aria-label="Delete Support bot"]').trigger('click');
    await flushPromises();
    expect(suggestionsFor('b1')).toEqual([]);
    expect(wrapper.find('[data-testid="chatbots-empty"]').exists()).toBe(true);
  });
});
