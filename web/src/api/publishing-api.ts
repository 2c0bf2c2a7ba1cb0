import type { ChatSseEvent, LiveSseEvent } from '@app/common';
import { readChatStream } from './chat-stream';
import { readLiveStream } from './live-stream';
import {
  ApiError,
  createHttpClient,
  isAbortError,
  toApiError,
  type FetchLike,
  type HttpClient,
} from './http-client';
import type {
  PublicationAnalytics,
  FeedbackRating,
  InboxConversationDetail,
  InboxPage,
  PublicBot,
  PublicationSettings,
  PublicationSettingsBody,
  PublicConversation,
  PublicConversationSummary,
} from '@app/common';

/** Who a public call is made for: the visitor's signed token, and the host page when embedded. */
export interface VisitorAuth {
  token: string;
  /** The origin of the page the widget sits on (X-Embed-Origin); none on the share page. */
  embedOrigin?: string | null;
}

const sseHeaders = { accept: 'text/event-stream' };
const enc = encodeURIComponent;

function visitorHeaders(auth: VisitorAuth, extra: Record<string, string> = {}): Record<string, string> {
  const headers: Record<string, string> = { authorization: `Bearer ${auth.token}`, ...extra };
  if (auth.embedOrigin) headers['x-embed-origin'] = auth.embedOrigin;
  return headers;
}

/** The public, account-free API of a published bot (/api/public/bots/:slug/…). */
export interface PublicBotApi {
  bot(slug: string, embedOrigin?: string | null): Promise<PublicBot>;
  createVisitor(slug: string, embedOrigin?: string | null): Promise<{ token: string }>;
  conversations(slug: string, auth: VisitorAuth): Promise<PublicConversationSummary[]>;
  conversation(slug: string, id: string, auth: VisitorAuth): Promise<PublicConversation>;
  chat(
    slug: string,
    body: { message: string; conversationId?: string },
    auth: VisitorAuth,
    signal?: AbortSignal,
  ): AsyncGenerator<ChatSseEvent>;
  live(
    slug: string,
    conversationId: string,
    after: number | null,
    auth: VisitorAuth,
    signal?: AbortSignal,
  ): AsyncGenerator<LiveSseEvent>;
  stop(slug: string, messageId: string, auth: VisitorAuth): Promise<void>;
  feedback(slug: string, messageId: string, rating: FeedbackRating | null, auth: VisitorAuth): Promise<void>;
}

/** The owner's side: publication settings, avatar, inbox, analytics. */
export interface PublishingApi {
  get(chatbotId: string): Promise<PublicationSettings>;
  save(chatbotId: string, body: PublicationSettingsBody): Promise<PublicationSettings>;
  uploadAvatar(chatbotId: string, file: Blob): Promise<{ avatarUrl: string }>;
  deleteAvatar(chatbotId: string): Promise<void>;
  inbox(chatbotId: string, page?: { q?: string; before?: string }): Promise<InboxPage>;
  inboxConversation(chatbotId: string, conversationId: string): Promise<InboxConversationDetail>;
  analytics(chatbotId: string, days?: number): Promise<PublicationAnalytics>;
  /** The CSV export's address (a plain link downloads it with the session cookie). */
  analyticsCsvUrl(chatbotId: string, days?: number): string;
}

/**
 * The public calls' transport: no cookies (the visitor is the bearer token), and a 401 here means
 * "get a new visitor token", never "the owner's session ended" (the app client's 401 listeners).
 */
function publicTransport(fetchLike?: FetchLike) {
  const doFetch: FetchLike = fetchLike ?? ((input, init) => globalThis.fetch(input, init));
  return async (
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ) => {
    const all: Record<string, string> = { accept: 'application/json', ...headers };
    if (body !== undefined) all['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await doFetch(path, {
        method,
        headers: all,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        signal,
      });
    } catch (error) {
      if (isAbortError(error)) throw error;
      throw new ApiError(0, 'network', 'Could not reach the server. Check your connection and try again.');
    }
    if (!response.ok) throw await toApiError(response);
    return response;
  };
}

export function createPublicBotApi(fetchLike?: FetchLike): PublicBotApi {
  const send = publicTransport(fetchLike);
  const base = (slug: string) => `/api/public/bots/${enc(slug)}`;
  const originOnly = (embedOrigin?: string | null): Record<string, string> =>
    embedOrigin ? { 'x-embed-origin': embedOrigin } : {};
  async function json<T>(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<T> {
    const response = await send(method, path, body, headers);
    const text = response.status === 204 || response.status === 202 ? '' : await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
  return {
    bot: (slug, embedOrigin) => json('GET', base(slug), undefined, originOnly(embedOrigin)),
    createVisitor: (slug, embedOrigin) => json('POST', `${base(slug)}/visitors`, {}, originOnly(embedOrigin)),
    conversations: (slug, auth) =>
      json('GET', `${base(slug)}/conversations`, undefined, visitorHeaders(auth)),
    conversation: (slug, id, auth) =>
      json('GET', `${base(slug)}/conversations/${enc(id)}`, undefined, visitorHeaders(auth)),
    async *chat(slug, body, auth, signal) {
      const response = await send(
        'POST',
        `${base(slug)}/chat`,
        body,
        visitorHeaders(auth, sseHeaders),
        signal,
      );
      if (!response.body) throw new Error('The server answered without a body.');
      yield* readChatStream(response.body, signal);
    },
    async *live(slug, conversationId, after, auth, signal) {
      const query = after === null ? '' : `?after=${after}`;
      const path = `${base(slug)}/conversations/${enc(conversationId)}/live${query}`;
      const response = await send('GET', path, undefined, visitorHeaders(auth, sseHeaders), signal);
      if (!response.body) throw new Error('The server answered without a body.');
      yield* readLiveStream(response.body, signal);
    },
    stop: (slug, messageId, auth) =>
      json('POST', `${base(slug)}/messages/${enc(messageId)}/stop`, {}, visitorHeaders(auth)),
    feedback: (slug, messageId, rating, auth) =>
      json('PUT', `${base(slug)}/messages/${enc(messageId)}/feedback`, { rating }, visitorHeaders(auth)),
  };
}

export function createPublishingApi(http: HttpClient, fetchLike?: FetchLike): PublishingApi {
  const base = (id: string) => `/api/chatbots/${enc(id)}`;
  const doFetch: FetchLike = fetchLike ?? ((input, init) => globalThis.fetch(input, init));
  return {
    get: (id) => http.json('GET', `${base(id)}/publication`),
    save: (id, body) => http.json('PUT', `${base(id)}/publication`, body),
    async uploadAvatar(id, file) {
      // The body is the image itself, not JSON: the one call the JSON client cannot make.
      const response = await doFetch(`${base(id)}/publication/avatar`, {
        method: 'PUT',
        headers: { 'content-type': file.type || 'application/octet-stream', accept: 'application/json' },
        body: file,
        credentials: 'include',
      });
      if (!response.ok) throw await toApiError(response);
      return (await response.json()) as { avatarUrl: string };
    },
    deleteAvatar: (id) => http.json('DELETE', `${base(id)}/publication/avatar`),
    inbox(id, page = {}) {
      const query = new URLSearchParams();
      if (page.q) query.set('q', page.q);
      if (page.before) query.set('before', page.before);
      const search = query.toString();
      return http.json('GET', `${base(id)}/inbox${search ? `?${search}` : ''}`);
    },
    inboxConversation: (id, conversationId) => http.json('GET', `${base(id)}/inbox/${enc(conversationId)}`),
    analytics: (id, days = 30) => http.json('GET', `${base(id)}/analytics?days=${days}`),
    analyticsCsvUrl: (id, days = 30) => `${base(id)}/analytics.csv?days=${days}`,
  };
}

/** The app's instances (the owner's calls go through the app client: its session, its 401 handling). */
export const publishingApi: PublishingApi = createPublishingApi(createHttpClient());
export const publicBotApi: PublicBotApi = createPublicBotApi();
