import { onScopeDispose, ref, shallowRef } from 'vue';
import type { ChatMetaEvent, ChatSseEvent } from '@app/common';
import { ApiError, isAbortError } from '../api';
import { publicBotApi, type PublicBotApi, type VisitorAuth } from '../api/publishing-api';
import type { FeedbackRating, PublicBot, PublicConversationSummary, PublicChatMessage } from '@app/common';
import { applyDelta, applyEnd, isLocalStreamEnd } from './chat-run-events';
import { toApiError } from './use-resource';

export type VisitorChatStatus = 'loading' | 'ready' | 'streaming' | 'unavailable';

export interface UseVisitorChatOptions {
  slug: string;
  /** The host page's origin when the chat runs inside the widget's iframe (sent as X-Embed-Origin). */
  embedOrigin?: string | null;
  client?: PublicBotApi;
  /** Where the visitor token and the open conversation are kept (localStorage by default). */
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
}

/** Re-reads after a broken stream, at most this many times in a row. */
const MAX_REATTACH = 5;
const REATTACH_DELAY_MS = 600;

let localCounter = 0;
const localId = (role: string) => `local-${role}-${++localCounter}`;

function safeStorage(): UseVisitorChatOptions['storage'] {
  try {
    return window.localStorage;
  } catch {
    return undefined; // storage blocked: the visitor is new on every load
  }
}

/**
 * A visitor's chat with a published bot (share page and widget panel): the bot's public face, an
 * anonymous identity the server signs (a token kept in this browser, no cookies), the visitor's
 * conversations, a streamed answer with Stop, feedback, and re-attaching to an answer still being
 * written after a reload (the conversation read says where it stands; the live route continues it).
 */
export function useVisitorChat(options: UseVisitorChatOptions) {
  const client = options.client ?? publicBotApi;
  const storage = options.storage ?? safeStorage();
  const slug = options.slug;
  const tokenKey = `visitor-token:${slug}`;
  const openKey = `visitor-conversation:${slug}`;

  const bot = shallowRef<PublicBot | null>(null);
  const status = ref<VisitorChatStatus>('loading');
  /** Why the chat cannot be used at all (unknown bot, origin refused…). */
  const unavailable = shallowRef<ApiError | null>(null);
  const error = shallowRef<ApiError | null>(null);
  const conversations = ref<PublicConversationSummary[]>([]);
  const conversationId = ref<string | null>(null);
  const messages = ref<PublicChatMessage[]>([]);
  const restoredDraft = ref<string | null>(null);

  let view = 0;
  let controller: AbortController | null = null;
  let current: PublicChatMessage | null = null;
  let stopWanted = false;
  let reattaches = 0;

  const read = (key: string) => storage?.getItem(key) ?? null;
  const write = (key: string, value: string | null) => {
    try {
      if (value === null) storage?.removeItem(key);
      else storage?.setItem(key, value);
    } catch {
      // storage full or blocked: only persistence across reloads is lost
    }
  };

  /** The token being issued: calls made at once (the list, a conversation) share one visitor. */
  let issuing: Promise<string> | null = null;

  async function auth(): Promise<VisitorAuth> {
    let token = read(tokenKey);
    if (!token) {
      issuing ??= client
        .createVisitor(slug, options.embedOrigin)
        .then(({ token: issued }) => {
          write(tokenKey, issued);
          return issued;
        })
        .finally(() => (issuing = null));
      token = await issuing;
    }
    return { token, embedOrigin: options.embedOrigin };
  }

  /** Runs a public call; a token the server no longer accepts (401) is replaced once. */
  async function withAuth<T>(call: (visitor: VisitorAuth) => Promise<T>): Promise<T> {
    try {
      return await call(await auth());
    } catch (caught) {
      if (!(caught instanceof ApiError) || caught.status !== 401) throw caught;
      write(tokenKey, null);
      return call(await auth());
    }
  }

  const settle = () => {
    if (status.value !== 'unavailable') status.value = current ? 'streaming' : 'ready';
  };

  function detach() {
    view++;
    controller?.abort();
    controller = null;
    current = null;
    stopWanted = false;
  }

  /** Shows the bot as soon as it is known; the visitor's token and conversations load meanwhile. */
  async function start() {
    status.value = 'loading';
    const listed = refreshConversations().catch(() => undefined); // a side list: never blocks the chat
    try {
      bot.value = await client.bot(slug, options.embedOrigin);
    } catch (caught) {
      unavailable.value = toApiError(caught);
      status.value = 'unavailable';
      return;
    }
    const remembered = read(openKey);
    if (remembered) await open(remembered);
    else settle();
    await listed;
  }

  async function refreshConversations() {
    conversations.value = await withAuth((visitor) => client.conversations(slug, visitor));
  }

  /** Shows a conversation; an answer still being written there is followed from where it stands. */
  async function open(id: string | null) {
    detach();
    error.value = null;
    conversationId.value = id;
    write(openKey, id);
    messages.value = [];
    if (!id) return settle();
    status.value = 'loading';
    await load(id, view);
  }

  async function load(id: string, at: number) {
    try {
      const conversation = await withAuth((visitor) => client.conversation(slug, id, visitor));
      if (at !== view) return;
      messages.value = conversation.messages;
      const last = messages.value[messages.value.length - 1];
      const liveId = conversation.live?.assistantMessageId ?? (last?.status === 'streaming' ? last.id : null);
      current = liveId ? (messages.value.find((message) => message.id === liveId) ?? null) : null;
      settle();
      if (current) follow(id, current, at);
    } catch (caught) {
      if (at !== view) return;
      if (caught instanceof ApiError && caught.status === 404) {
        // Gone, or another visitor's: start afresh rather than show an error.
        conversationId.value = null;
        write(openKey, null);
        messages.value = [];
        return settle();
      }
      error.value = toApiError(caught);
      settle();
    }
  }

  /** Attaches to the live route after what this read has, until the answer ends. */
  function follow(id: string, message: PublicChatMessage, at: number) {
    const live = new AbortController();
    controller = live;
    void (async () => {
      try {
        const visitor = await auth();
        for await (const event of client.live(slug, id, message.content.length, visitor, live.signal)) {
          if (at !== view) return;
          if (event.event === 'delta') {
            if (applyDelta(message, event.data.text, event.data.seq) === 'gap') break;
          } else if (event.event === 'done' || event.event === 'error') {
            if ('assistantMessageId' in event.data && event.data.assistantMessageId !== message.id) continue;
            finish(message, event);
            live.abort();
            return;
          }
        }
      } catch (caught) {
        if (live.signal.aborted || isAbortError(caught) || at !== view) return;
      }
      if (at === view && !live.signal.aborted) reattachLater(id, at);
    })();
  }

  function reattachLater(id: string, at: number) {
    if (reattaches++ >= MAX_REATTACH) {
      error.value = new ApiError(0, 'network', 'The connection was lost mid-answer.');
      current = null;
      return settle();
    }
    setTimeout(() => {
      if (at === view) void load(id, at);
    }, REATTACH_DELAY_MS);
  }

  function finish(message: PublicChatMessage, end: Extract<ChatSseEvent, { event: 'done' | 'error' }>) {
    const failure = applyEnd(message, end);
    if (failure) error.value = new ApiError(0, failure.code, failure.message);
    if (current === message) current = null;
    reattaches = 0;
    settle();
  }

  function newMessage(role: PublicChatMessage['role'], content: string): PublicChatMessage {
    return {
      id: localId(role),
      conversationId: conversationId.value ?? '',
      role,
      content,
      status: role === 'assistant' ? 'streaming' : 'complete',
      createdAt: new Date().toISOString(),
    };
  }

  function onMeta(user: PublicChatMessage, assistant: PublicChatMessage, meta: ChatMetaEvent) {
    user.id = meta.userMessageId;
    assistant.id = meta.assistantMessageId;
    user.conversationId = assistant.conversationId = meta.conversationId;
    if (stopWanted) void stopAnswer(assistant);
    if (conversationId.value !== meta.conversationId) {
      conversationId.value = meta.conversationId;
      write(openKey, meta.conversationId);
    }
  }

  async function send(text: string) {
    const message = text.trim();
    if (!message || status.value !== 'ready') return;
    restoredDraft.value = null;
    error.value = null;
    const at = view;
    messages.value.push(newMessage('user', message), newMessage('assistant', ''));
    const user = messages.value[messages.value.length - 2] as PublicChatMessage;
    const assistant = messages.value[messages.value.length - 1] as PublicChatMessage;
    current = assistant;
    stopWanted = false;
    settle();
    const own = new AbortController();
    controller = own;
    const body = conversationId.value ? { message, conversationId: conversationId.value } : { message };
    let started = false;
    let broke = false;
    try {
      const visitor = await auth();
      for await (const event of client.chat(slug, body, visitor, own.signal)) {
        if (at !== view) return;
        if (event.event === 'meta') {
          started = true;
          onMeta(user, assistant, event.data);
        } else if (event.event === 'delta') applyDelta(assistant, event.data.text, event.data.seq);
        else if (event.event === 'error' && isLocalStreamEnd(event.data)) broke = true;
        else finish(assistant, event);
      }
    } catch (caught) {
      if (at !== view || isAbortError(caught)) return;
      error.value = toApiError(caught);
      broke = started;
      if (!started) {
        messages.value = messages.value.filter((item) => item !== user && item !== assistant);
        restoredDraft.value = message;
        current = null;
      }
    }
    if (at !== view) return;
    if (broke && conversationId.value) return void load(conversationId.value, at); // the run goes on
    settle();
    void refreshConversations().catch(() => undefined);
  }

  async function stopAnswer(message: PublicChatMessage) {
    try {
      await withAuth((visitor) => client.stop(slug, message.id, visitor));
    } catch (caught) {
      error.value = toApiError(caught);
    }
  }

  /** Stops the answer being written (the stream then ends `aborted`, the partial text is kept). */
  function stop() {
    if (!current) return;
    if (current.id.startsWith('local-')) stopWanted = true;
    else void stopAnswer(current);
  }

  async function rate(message: PublicChatMessage, rating: FeedbackRating) {
    const previous = message.feedback ?? null;
    const next = previous === rating ? null : rating;
    message.feedback = next;
    try {
      await withAuth((visitor) => client.feedback(slug, message.id, next, visitor));
    } catch (caught) {
      message.feedback = previous;
      error.value = toApiError(caught);
    }
  }

  onScopeDispose(detach);

  return {
    bot,
    status,
    unavailable,
    error,
    conversations,
    conversationId,
    messages,
    restoredDraft,
    start,
    open,
    send,
    stop,
    rate,
    refreshConversations,
  };
}
