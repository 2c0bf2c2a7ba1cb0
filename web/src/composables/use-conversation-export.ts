import { ref, shallowRef } from 'vue';
import { api, type Api, type ApiError } from '../api';
import {
  conversationToJson,
  conversationToMarkdown,
  downloadText,
  exportFileName,
  type ExportContext,
} from '../components/conversation-export';
import { toApiError } from './use-resource';

export type ExportFormat = 'markdown' | 'json';

/** Exports the open conversation from a fresh read of it, as a file made in the browser. */
export function useConversationExport(context: () => ExportContext, client: Api = api) {
  const busy = ref(false);
  const error = shallowRef<ApiError | null>(null);

  async function exportConversation(conversationId: string, format: ExportFormat) {
    busy.value = true;
    error.value = null;
    try {
      const conversation = await client.chat.getConversation(conversationId);
      const title = conversation.title || 'conversation';
      if (format === 'markdown') {
        downloadText(
          exportFileName(title, 'md'),
          conversationToMarkdown(conversation, context()),
          'text/markdown',
        );
      } else {
        downloadText(
          exportFileName(title, 'json'),
          conversationToJson(conversation, context()),
          'application/json',
        );
      }
    } catch (caught) {
      error.value = toApiError(caught);
    } finally {
      busy.value = false;
    }
  }

  return { busy, error, exportConversation };
}
