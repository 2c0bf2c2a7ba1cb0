import { afterEach, describe, expect, it, vi } from 'vitest';
import { effectScope, ref } from 'vue';
import { flushPromises } from '@vue/test-utils';
import { createApi } from '../api';
import { apiError, createFakeFetch, json } from '../test-support/fake-fetch';
import { SEARCH_DEBOUNCE_MS, useConversations } from './use-conversations';

const item = (id: string, title: string) => ({
  id,
  chatbotId: 'b1',
  title,
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
});

describe('useConversations', () => {
  afterEach(() => vi.useRealTimers());

  function setup(routes: Parameters<typeof createFakeFetch>[0]) {
    const fake = createFakeFetch(routes);
    const scope = effectScope();
    const conversations = scope.run(() => useConversations(ref('b1'), createApi({ fetch: fake.fetch })))!;
    return { fake, scope, conversations };
  }

  it('searches after typing pauses, once, and pages the results with the same query', async () => {
    vi.useFakeTimers();
    const { fake, scope, conversations } = setup({
      'GET /api/chatbots/b1/conversations': (call) =>
        call.path.includes('q=lis')
          ? json({
              items: [{ ...item('c2', 'Trip'), snippet: '…to Lisbon…' }],
              nextCursor: call.path.includes('cursor') ? null : 'next',
            })
          : json({ items: [item('c1', 'First'), item('c2', 'Trip')], nextCursor: null }),
    });
    await flushPromises();
    expect(conversations.items.value.map((entry) => entry.id)).toEqual(['c1', 'c2']);

    conversations.query.value = 'l';
    await vi.advanceTimersByTimeAsync(100);
    conversations.query.value = 'lis';
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS + 10);
    await flushPromises();
    const searches = fake.calls.filter((call) => call.path.includes('q='));
    expect(searches.map((call) => call.path)).toEqual(['/api/chatbots/b1/conversations?limit=20&q=lis']);
    expect(conversations.searched.value).toBe('lis');
    expect(conversations.items.value).toEqual([
      expect.objectContaining({ id: 'c2', snippet: '…to Lisbon…' }),
    ]);

    await conversations.loadMore();
    expect(fake.calls.at(-1)?.path).toBe('/api/chatbots/b1/conversations?limit=20&cursor=next&q=lis');
    scope.stop();
  });

  it('renames in place, and keeps the error of a refused title for that conversation', async () => {
    const { fake, scope, conversations } = setup({
      'GET /api/chatbots/b1/conversations': () => json({ items: [item('c1', 'Old')], nextCursor: null }),
      'PATCH /api/conversations/c1': (call) =>
        (call.body as { title: string }).title === 'bad'
          ? apiError(400, 'validation_failed', 'title: Give the conversation a title.')
          : json(item('c1', (call.body as { title: string }).title)),
    });
    await flushPromises();
    expect(await conversations.rename('c1', 'New name')).toMatchObject({ title: 'New name' });
    expect(conversations.items.value[0]?.title).toBe('New name');
    expect(fake.calls.at(-1)).toMatchObject({ method: 'PATCH', body: { title: 'New name' } });
    expect(await conversations.rename('c1', 'bad')).toBeUndefined();
    expect(conversations.renamingId.value).toBe('c1');
    expect(conversations.renameError.value?.code).toBe('validation_failed');
    expect(conversations.items.value[0]?.title).toBe('New name');
    scope.stop();
  });
});
