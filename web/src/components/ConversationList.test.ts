import { afterEach, describe, expect, it } from 'vitest';
import { mount, RouterLinkStub } from '@vue/test-utils';
import type { Conversation } from '@app/common';
import ConversationList from './ConversationList.vue';

const item = (id: string, title: string, snippet?: string): Conversation => ({
  id,
  chatbotId: 'b1',
  title,
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
  ...(snippet ? { snippet } : {}),
});

function setup(props: Record<string, unknown> = {}) {
  const wrapper = mount(ConversationList, {
    props: {
      chatbotId: 'b1',
      items: [item('c1', 'Trip to Lisbon'), item('c2', 'Bread', '…flour from Lisbon…')],
      activeId: 'c1',
      status: 'ready' as const,
      error: null,
      hasMore: false,
      moreStatus: 'idle' as const,
      searched: '',
      query: '',
      'onUpdate:query': (value: string) => wrapper.setProps({ query: value }),
      rename: async () => true,
      ...props,
    },
    global: { stubs: { RouterLink: RouterLinkStub } },
    attachTo: document.body,
  });
  return wrapper;
}

describe('ConversationList', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('marks the open conversation and labels every action for screen readers', () => {
    const wrapper = setup();
    const links = wrapper.findAll('[data-testid="conversation-link"]');
    expect(links[0]?.attributes('aria-current')).toBe('page');
    expect(links[1]?.attributes('aria-current')).toBeUndefined();
    expect(
      wrapper.findAll('[data-testid="conversation-actions"]').map((b) => b.attributes('aria-label')),
    ).toEqual(['Actions for Trip to Lisbon', 'Actions for Bread']);
    expect(wrapper.find('label[for="conversation-search"]').text()).toBe('Search conversations');
  });

  it('highlights what was searched in titles and snippets, without HTML', () => {
    const wrapper = setup({
      searched: 'lisbon',
      items: [item('c1', 'Trip to Lisbon'), item('c2', '<b>Bread</b>', '…flour from Lisbon…')],
    });
    expect(wrapper.findAll('mark').map((mark) => mark.text())).toEqual(['Lisbon', 'Lisbon']);
    expect(wrapper.find('[data-testid="conversation-snippet"]').text()).toBe('…flour from Lisbon…');
    expect(wrapper.find('b').exists()).toBe(false);
    expect(wrapper.text()).toContain('<b>Bread</b>');
  });

  it('says when a search finds nothing, and Escape in the search box clears it', async () => {
    const wrapper = setup({ items: [], searched: 'nothing like it', query: 'nothing like it' });
    expect(wrapper.find('[data-testid="conversations-empty"]').text()).toBe(
      'No conversation mentions “nothing like it”.',
    );
    await wrapper.find('#conversation-search').trigger('keydown', { key: 'Escape' });
    expect(wrapper.props('query')).toBe('');
  });
});
