import { computed, ref, watch, type Ref } from 'vue';
import type { Chatbot } from '@app/common';
import { api } from '../api';
import { readMemory, writeMemory } from './onboarding-memory';

/** Chatbots looked at for "has a conversation" / "has a published bot" (the guide is for newcomers). */
const CHATBOTS_CHECKED = 5;

export type ShareState = 'done' | 'todo' | 'unavailable';

export interface GuideProgress {
  created: boolean;
  chatted: boolean;
  shared: ShareState;
}

async function anyConversation(chatbots: readonly Chatbot[]): Promise<boolean> {
  const pages = await Promise.all(
    chatbots.map((chatbot) => api.chat.listConversations(chatbot.id, { limit: 1 }).catch(() => null)),
  );
  return pages.some((page) => (page?.items.length ?? 0) > 0);
}

/** `unavailable` while this server has no publishing (issue 22): its endpoints answer 404. */
async function shareState(chatbots: readonly Chatbot[]): Promise<ShareState> {
  const gallery = await api.onboarding.gallery().catch(() => null);
  if (gallery === null) return 'unavailable';
  const modes = await Promise.all(
    chatbots.map((chatbot) => api.onboarding.publicationMode(chatbot.id).catch(() => null)),
  );
  return modes.some((mode) => mode !== null && mode !== 'off') ? 'done' : 'todo';
}

/**
 * The three-step guide (create, chat, share), ticked off from the user's real data, and whether this
 * user dismissed it (remembered in this browser).
 */
export function useGuideProgress(userId: () => string | null, chatbots: Ref<Chatbot[] | undefined>) {
  const progress = ref<GuideProgress | null>(null);
  const dismissed = ref(false);
  const memoryKey = () => `guide-dismissed:${userId() ?? 'anonymous'}`;

  watch(userId, () => (dismissed.value = readMemory<boolean>(memoryKey()) === true), { immediate: true });

  let latest = 0;
  watch(
    chatbots,
    async (list) => {
      if (!list) return;
      const run = ++latest;
      const checked = list.slice(0, CHATBOTS_CHECKED);
      const [chatted, shared] = await Promise.all([anyConversation(checked), shareState(checked)]);
      // A newer list (a delete) answers for itself.
      if (run === latest) progress.value = { created: list.length > 0, chatted, shared };
    },
    { immediate: true },
  );

  const done = computed(
    () =>
      !!progress.value &&
      progress.value.created &&
      progress.value.chatted &&
      progress.value.shared === 'done',
  );

  function dismiss() {
    dismissed.value = true;
    writeMemory(memoryKey(), true);
  }

  return { progress, dismissed, done, dismiss };
}
