import { ref, shallowRef, type Ref } from 'vue';
import { watchDebounced } from '@vueuse/core';
import type { Conversation } from '@app/common';
import { api, type Api } from '../api';
import { useAction } from './use-action';
import { useResource, type LoadStatus } from './use-resource';

const PAGE_SIZE = 20;
/** Typing pauses this long (ms) before the search goes to the server. */
export const SEARCH_DEBOUNCE_MS = 250;

/**
 * A chatbot's conversations, newest first, with "load more", search (titles and message text),
 * rename and delete.
 */
export function useConversations(chatbotId: Ref<string>, client: Api = api) {
  const items = ref<Conversation[]>([]);
  const nextCursor = shallowRef<string | null>(null);
  const moreStatus = ref<LoadStatus>('idle');
  /** What the search box holds; `searched` is what the list shows results for. */
  const query = ref('');
  const searched = ref('');

  const firstPage = useResource(async (signal) => {
    const q = query.value.trim();
    const page = await client.chat.listConversations(chatbotId.value, {
      limit: PAGE_SIZE,
      ...(q ? { q } : {}),
    });
    if (!signal.aborted) {
      items.value = page.items;
      nextCursor.value = page.nextCursor;
      searched.value = q;
    }
    return page;
  });

  watchDebounced(query, (now, before) => now.trim() !== before.trim() && void firstPage.reload(), {
    debounce: SEARCH_DEBOUNCE_MS,
  });

  async function loadMore() {
    if (!nextCursor.value || moreStatus.value === 'loading') return;
    moreStatus.value = 'loading';
    try {
      const q = searched.value;
      const page = await client.chat.listConversations(chatbotId.value, {
        limit: PAGE_SIZE,
        cursor: nextCursor.value,
        ...(q ? { q } : {}),
      });
      const known = new Set(items.value.map((item) => item.id));
      items.value = [...items.value, ...page.items.filter((item) => !known.has(item.id))];
      nextCursor.value = page.nextCursor;
      moreStatus.value = 'ready';
    } catch {
      moreStatus.value = 'error';
    }
  }

  const removal = useAction(async (id: string) => {
    await client.chat.deleteConversation(id);
    items.value = items.value.filter((item) => item.id !== id);
  });

  /** The conversation being renamed when `renameError` was set. */
  const renamingId = ref<string | null>(null);
  const renaming = useAction(async (id: string, title: string) => {
    renamingId.value = id;
    const updated = await client.chat.renameConversation(id, title);
    items.value = items.value.map((item) => (item.id === id ? { ...item, title: updated.title } : item));
    return updated;
  });

  return {
    items,
    status: firstPage.status,
    error: firstPage.error,
    reload: firstPage.reload,
    hasMore: () => nextCursor.value !== null,
    loadMore,
    moreStatus,
    query,
    searched,
    remove: removal.run,
    removeStatus: removal.status,
    removeError: removal.error,
    rename: renaming.run,
    renameStatus: renaming.status,
    renameError: renaming.error,
    renamingId,
    resetRename: renaming.reset,
  };
}
