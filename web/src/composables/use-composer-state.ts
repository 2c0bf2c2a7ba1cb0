import { computed, ref, watch, type Ref, type ShallowRef } from 'vue';
import { MESSAGE_MAX_CHARS, type ChatMessage } from '@app/common';
import type { ApiError } from '../api';
import { describeApiError } from '../components/error-text';

interface ChatLike {
  messages: Ref<ChatMessage[]>;
  status: Ref<string>;
  error: ShallowRef<ApiError | null>;
  restoredDraft: Ref<string | null>;
}

/**
 * What the composer needs from the chat: the last message sent (ArrowUp recalls it), the longest
 * message allowed (the API's, lowered to the plan's once a refusal told it) and the sentence for a
 * message that was not sent.
 */
export function useComposerState(chat: ChatLike) {
  const planLimit = ref<number | null>(null);

  watch(chat.error, (error) => {
    if (error?.code !== 'payload_too_large') return;
    const details = error.details as { max?: unknown } | undefined;
    if (typeof details?.max === 'number' && details.max > 0) planLimit.value = details.max;
  });

  const maxChars = computed(() => Math.min(planLimit.value ?? MESSAGE_MAX_CHARS, MESSAGE_MAX_CHARS));

  const lastUserMessage = computed(() => {
    for (let index = chat.messages.value.length - 1; index >= 0; index--) {
      const message = chat.messages.value[index];
      if (message?.role === 'user') return message.content;
    }
    return null;
  });

  /** A message the server refused before answering (it is back in the composer). */
  const error = computed(() => {
    const failed = chat.error.value;
    if (!failed || chat.status.value === 'error' || chat.restoredDraft.value === null) return null;
    return `Your message was not sent. ${describeApiError(failed)}`;
  });

  return { maxChars, lastUserMessage, error };
}
