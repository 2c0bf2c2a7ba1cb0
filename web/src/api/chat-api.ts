import type {
  ChatRequestBody,
  ChatSseEvent,
  Conversation,
  ConversationPage,
  ConversationWithMessages,
  LiveSseEvent,
} from '@app/common';
import { readChatStream } from './chat-stream';
import { readLiveStream } from './live-stream';
import type { HttpClient } from './http-client';

export interface ChatApi {
  /** Streams one chat turn. Errors before the stream starts throw an ApiError. */
  chat(chatbotId: string, body: ChatRequestBody, signal?: AbortSignal): AsyncGenerator<ChatSseEvent>;
  /** Streams a new version of the conversation's last answer (the old one is kept). */
  regenerate(conversationId: string, signal?: AbortSignal): AsyncGenerator<ChatSseEvent>;
  /** Streams a new version of this answer, beside it (decision 0009). */
  regenerateMessage(messageId: string, signal?: AbortSignal): AsyncGenerator<ChatSseEvent>;
  /** Streams the answer to a new version of a sent message; the later turns stay on the old branch. */
  editMessage(messageId: string, content: string, signal?: AbortSignal): AsyncGenerator<ChatSseEvent>;
  /** Shows the branch through this message (a version); answers the conversation as it now reads. */
  setActiveBranch(conversationId: string, messageId: string): Promise<ConversationWithMessages>;
  /** Stops an answer wherever it runs (leaving a stream never does); its streams then end `aborted`. */
  stop(messageId: string): Promise<void>;
  /**
   * Follows a conversation: `ready`, its live answer from `position` (the read's `live`), then every
   * new turn. Never ends on its own: it throws LiveStreamEnded when it stops; aborting detaches.
   */
  live(
    conversationId: string,
    position?: { after: number; assistantMessageId: string } | null,
    signal?: AbortSignal,
  ): AsyncGenerator<LiveSseEvent>;
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
    regenerateMessage: (messageId, signal) =>
      stream(`/api/messages/${encodeURIComponent(messageId)}/regenerate`, {}, signal),
    editMessage: (messageId, content, signal) =>
      stream(`/api/messages/${encodeURIComponent(messageId)}/edit`, { content }, signal),
    setActiveBranch: (conversationId, messageId) =>
      http.json('PUT', `/api/conversations/${encodeURIComponent(conversationId)}/active`, { messageId }),
    stop: (messageId) => http.json('POST', `/api/messages/${encodeURIComponent(messageId)}/stop`, {}),
    async *live(conversationId, position, signal) {
      const query = position
        ? `?${new URLSearchParams({ after: String(position.after), assistantMessageId: position.assistantMessageId })}`
        : '';
      const path = `/api/conversations/${encodeURIComponent(conversationId)}/live${query}`;
      const response = await http.raw('GET', path, undefined, { signal, headers: sseHeaders });
      if (!response.body) throw new Error('The server answered without a body.');
      yield* readLiveStream(response.body, signal);
    },
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
