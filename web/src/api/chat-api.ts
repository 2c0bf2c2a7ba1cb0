import type {
  ChatRequestBody,
  ChatSseEvent,
  Conversation,
  ConversationPage,
  ConversationWithMessages,
} from '@app/common';
import { readChatStream } from './chat-stream';
import type { HttpClient } from './http-client';

export interface ChatApi {
  /** Streams one chat turn. Errors before the stream starts throw an ApiError. */
  chat(chatbotId: string, body: ChatRequestBody, signal?: AbortSignal): AsyncGenerator<ChatSseEvent>;
  /** Streams a new answer replacing the conversation's last assistant answer. */
  regenerate(conversationId: string, signal?: AbortSignal): AsyncGenerator<ChatSseEvent>;
  /** Asks the server to stop generating (in addition to aborting the fetch). */
  stop(messageId: string): Promise<void>;
  /** Newest first; with `q`, only conversations whose title or messages contain it. */
  listConversations(
    chatbotId: string,
    page?: { limit?: number; cursor?: string; q?: string },
  ): Promise<ConversationPage>;
  getConversation(conversationId: string): Promise<ConversationWithMessages>;
  deleteConversation(conversationId: string): Promise<void>;
  renameConversation(conversationId: string, title: string): Promise<Conversation>;
}

const sseHeaders = { accept: 'text/event-stream' };

export function createChatApi(http: HttpClient): ChatApi {
  async function* stream(path: string, body: unknown, signal?: AbortSignal) {
    const response = await http.raw('POST', path, body, { signal, headers: sseHeaders });
    if (!response.body) throw new Error('The server answered without a body.');
    yield* readChatStream(response.body, signal);
  }

  return {
    chat: (chatbotId, body, signal) =>
      stream(`/api/chatbots/${encodeURIComponent(chatbotId)}/chat`, body, signal),
    regenerate: (conversationId, signal) =>
      stream(`/api/conversations/${encodeURIComponent(conversationId)}/regenerate`, {}, signal),
    stop: (messageId) => http.json('POST', `/api/messages/${encodeURIComponent(messageId)}/stop`, {}),
    listConversations(chatbotId, page = {}) {
      const query = new URLSearchParams();
      if (page.limit) query.set('limit', String(page.limit));
      if (page.cursor) query.set('cursor', page.cursor);
      if (page.q) query.set('q', page.q);
      const search = query.toString();
      const suffix = search ? `?${search}` : '';
      return http.json('GET', `/api/chatbots/${encodeURIComponent(chatbotId)}/conversations${suffix}`);
    },
    getConversation: (id) => http.json('GET', `/api/conversations/${encodeURIComponent(id)}`),
    deleteConversation: (id) => http.json('DELETE', `/api/conversations/${encodeURIComponent(id)}`),
    renameConversation: (id, title) =>
      http.json('PATCH', `/api/conversations/${encodeURIComponent(id)}`, { title }),
  };
}
