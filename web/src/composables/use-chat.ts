import { onScopeDispose, ref, shallowRef } from 'vue';
import type { ChatMessage, ChatMetaEvent, ChatSseEvent, LiveRunState, LiveSseEvent } from '@app/common';
import { api, ApiError, isAbortError, type Api } from '../api';
import { applyDelta, applyEnd, isLocalStreamEnd } from './chat-run-events';
import { asNewVersionOf, neighbourVersion, renameVersion } from './chat-versions';
import { toApiError } from './use-resource';

export type ChatStatus = 'idle' | 'loading' | 'ready' | 'streaming' | 'error';

export interface UseChatOptions {
  chatbotId: () => string;
  /** Called when the server assigns a conversation to a new chat (update the URL and the list). */
  onConversationStarted?: (conversationId: string) => void;
  client?: Api;
}

/** Waits before re-reading after the live stream stopped (the network, a restart), growing. */
const RETRY_DELAYS_MS = [250, 1000, 2000, 5000, 10_000];
/** A message still `streaming` that no instance runs (its writer died) is looked at again this often. */
const STALE_POLL_MS = 2000;
const STALE_POLL_MAX = 30;
/** After Stop, the stream says `aborted` within moments; past this, the conversation is re-read. */
const STOP_GRACE_MS = 3000;

let localCounter = 0;
const localId = (kind: string) => `local-${kind}-${++localCounter}`;

/** A send, edit or regenerate of this tab, streamed by its POST. */
interface OwnTurn {
  controller: AbortController;
  assistant: ChatMessage;
  /** The POST's `meta` arrived: the turn's ids are known. */
  started: boolean;
}

/**
 * One chat view: the open conversation (its active branch), sending with a streamed answer, Stop,
 * editing a sent message and regenerating any answer (both add a version: decision 0009), and
 * switching between versions. Answers
 * are runs on the server: the view follows the conversation's live stream, so an answer being
 * written (by this tab before a reload, or by another tab) shows and grows, and a turn started
 * elsewhere appears. Leaving (another conversation, unmounting) only detaches; only `stop()` stops.
 * Each delta lands at its offset (`seq`), so two streams of one answer never duplicate text.
 */
export function useChat(options: UseChatOptions) {
  const client = options.client ?? api;
  const conversationId = ref<string | null>(null);
  const messages = ref<ChatMessage[]>([]);
  const status = ref<ChatStatus>('idle');
  const error = shallowRef<ApiError | null>(null);
  /** Text of a message the server refused before streaming; the composer puts it back. */
  const restoredDraft = ref<string | null>(null);
  /** A version switch is on its way (the switchers wait for it). */
  const switching = ref(false);

  /** Bumped whenever the view changes (open, dispose): late async work of an old view is dropped. */
  let view = 0;
  let live: AbortController | null = null;
  /** The read's `updatedAt`: a live stream's `ready` that differs means turns happened since. */
  let readAt: string | null = null;
  /** The answer being written in this conversation (from either stream). */
  let current: ChatMessage | null = null;
  /** An answer that already ended here, told again by the live stream: its pieces are skipped. */
  let replaying: ChatMessage | null = null;
  let own: OwnTurn | null = null;
  /** Live events that arrived before this tab's POST said which turn is its own. */
  let deferred: LiveSseEvent[] = [];
  let stopWanted = false;
  let resyncWanted = false;
  let retries = 0;
  let staleChecks = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const find = (id: string) => messages.value.find((message) => message.id === id) ?? null;
  const settleStatus = () => {
    status.value = current !== null || own !== null ? 'streaming' : 'ready';
  };
  const clearTimer = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };

  /** Lets go of the conversation: streams closed, never a Stop (the answer goes on on the server). */
  function detach() {
    view++;
    clearTimer();
    live?.abort();
    live = null;
    own?.controller.abort();
    own = null;
    current = null;
    replaying = null;
    deferred = [];
    stopWanted = false;
    resyncWanted = false;
  }

  async function open(id: string | null) {
    detach();
    retries = 0;
    staleChecks = 0;
    error.value = null;
    conversationId.value = id;
    if (!id) {
      messages.value = [];
      status.value = 'ready';
      return;
    }
    status.value = 'loading';
    await load(id, view, true);
  }

  /** Reads the conversation, then follows it from where the read stands. */
  async function load(id: string, at: number, first: boolean) {
    try {
      const conversation = await client.chat.getConversation(id);
      if (at !== view) return;
      if (own) return void (resyncWanted = true); // never under a send: re-read once it ended
      messages.value = conversation.messages;
      readAt = conversation.updatedAt;
      current = conversation.live ? find(conversation.live.assistantMessageId) : null;
      settleStatus();
      attach(id, at, conversation.live ?? null);
    } catch (caught) {
      if (at !== view) return;
      const failure = toApiError(caught);
      if (first) {
        error.value = failure;
        messages.value = [];
        status.value = 'error';
      } else if (failure.status !== 404) retryLater(id, at); // gone (deleted): nothing to follow
    }
  }

  function attach(id: string, at: number, position: LiveRunState | null) {
    live?.abort();
    const controller = new AbortController();
    live = controller;
    const after = position ? { after: position.seq, assistantMessageId: position.assistantMessageId } : null;
    void (async () => {
      try {
        for await (const event of client.chat.live(id, after, controller.signal)) {
          if (controller.signal.aborted || at !== view) return;
          if (onLive(event) === 'resync') return resync(id, at);
        }
      } catch (caught) {
        if (controller.signal.aborted || at !== view || isAbortError(caught)) return;
      }
      // The stream stopped (a restart, the network, or the server could not vouch for it): look again.
      if (!controller.signal.aborted && at === view) retryLater(id, at);
    })();
  }

  function resync(id: string, at: number) {
    if (at !== view) return;
    live?.abort();
    live = null;
    if (own) return void (resyncWanted = true);
    void load(id, at, false);
  }

  function retryLater(id: string, at: number, delay?: number) {
    clearTimer();
    const wait = delay ?? RETRY_DELAYS_MS[Math.min(retries, RETRY_DELAYS_MS.length - 1)]!;
    retries++;
    timer = setTimeout(() => resync(id, at), wait);
  }

  /** One event of the live stream. 'resync': this view cannot place it; re-read. */
  function onLive(event: LiveSseEvent): 'resync' | void {
    if (own && !own.started && event.event !== 'ready') {
      deferred.push(event);
      return;
    }
    switch (event.event) {
      case 'ready': {
        const { live: state, updatedAt } = event.data;
        retries = 0;
        if (readAt !== null && updatedAt !== readAt && !own) return 'resync';
        if (state && !find(state.assistantMessageId)) return 'resync';
        const shownWriting = messages.value.some(
          (message) => message.status === 'streaming' && message !== own?.assistant,
        );
        if (!state && shownWriting) {
          // The read showed an answer being written that no instance runs now: it just ended, or
          // its writer died (the server marks it `interrupted` soon). Look again, a bounded number of times.
          if (staleChecks++ >= STALE_POLL_MAX) return;
          const id = conversationId.value;
          if (id) retryLater(id, view, staleChecks === 1 ? 0 : STALE_POLL_MS);
        } else staleChecks = 0;
        return;
      }
      case 'turn': {
        const { userMessage, assistantMessage, removedMessageIds } = event.data;
        if (find(assistantMessage.id)) return;
        // A turn on another branch (an edit, a regenerate elsewhere): this view re-reads the tree.
        const follows = (userMessage ?? assistantMessage).parentId;
        if (follows !== undefined && follows !== (messages.value.at(-1)?.id ?? null)) return 'resync';
        if (removedMessageIds.length > 0)
          messages.value = messages.value.filter((message) => !removedMessageIds.includes(message.id));
        if (userMessage && !find(userMessage.id)) messages.value.push(userMessage);
        messages.value.push(assistantMessage);
        current = find(assistantMessage.id);
        settleStatus();
        return;
      }
      case 'meta': {
        const message = find(event.data.assistantMessageId);
        if (!message || message.content.length < (event.data.seq ?? 0)) return 'resync';
        replaying = null;
        if (message.status !== 'streaming' && message !== own?.assistant) {
          replaying = message; // this tab's own answer, over by now: nothing to add
          return;
        }
        current = message;
        settleStatus();
        return;
      }
      case 'delta': {
        const target = current ?? replaying;
        if (!target) return 'resync';
        if (applyDelta(target, event.data.text, event.data.seq) === 'gap') return 'resync';
        return;
      }
      case 'done':
      case 'error':
        if (current) finishAnswer(current, event);
        replaying = null;
        return;
    }
  }

  function finishAnswer(message: ChatMessage, end: Extract<ChatSseEvent, { event: 'done' | 'error' }>) {
    const failure = applyEnd(message, end);
    if (failure) error.value = new ApiError(0, failure.code, failure.message);
    if (current === message) current = null;
    settleStatus();
  }

  /** Replays what the live stream said while this tab's POST had not yet said which turn it is. */
  function flushDeferred() {
    const events = deferred;
    deferred = [];
    const id = conversationId.value;
    for (const event of events) {
      if (onLive(event) === 'resync') {
        if (id) resync(id, view);
        return;
      }
    }
  }

  /**
   * Streams this tab's turn into `assistant`. Returns false when the server refused before
   * streaming (nothing was stored), true otherwise.
   */
  async function runOwn(
    start: (signal: AbortSignal) => AsyncGenerator<ChatSseEvent>,
    user: ChatMessage | null,
    assistant: ChatMessage,
  ): Promise<boolean> {
    const at = view;
    const turn: OwnTurn = { controller: new AbortController(), assistant, started: false };
    own = turn;
    stopWanted = false;
    status.value = 'streaming';
    error.value = null;
    let accepted = true;
    try {
      for await (const event of start(turn.controller.signal)) {
        if (at !== view) return true;
        if (event.event === 'meta') onOwnMeta(turn, user, event.data);
        else if (event.event === 'delta') {
          if (applyDelta(assistant, event.data.text, event.data.seq) === 'gap') resyncWanted = true;
        } else if (event.event === 'error' && isLocalStreamEnd(event.data)) {
          resyncWanted = true; // the POST broke; the run goes on and the live stream has it
        } else if (event.event !== 'error' || event.data.code !== 'aborted' || event.data.seq !== undefined) {
          finishAnswer(assistant, event);
        }
      }
    } catch (caught) {
      if (at !== view || isAbortError(caught)) return true;
      error.value = toApiError(caught);
      if (!turn.started) accepted = false;
      else resyncWanted = true;
    } finally {
      if (own === turn) own = null;
    }
    if (at !== view) return true;
    if (!accepted) {
      // Refused: the caller takes the placeholders away, then what the live stream said applies.
      queueMicrotask(() => afterOwnTurn(at));
      return false;
    }
    afterOwnTurn(at);
    return true;
  }

  function onOwnMeta(turn: OwnTurn, user: ChatMessage | null, meta: ChatMetaEvent) {
    turn.started = true;
    renameVersion(turn.assistant, turn.assistant.id, meta.assistantMessageId);
    turn.assistant.id = meta.assistantMessageId;
    turn.assistant.conversationId = meta.conversationId;
    turn.assistant.parentId = meta.userMessageId;
    if (user) {
      renameVersion(user, user.id, meta.userMessageId);
      user.id = meta.userMessageId;
      user.conversationId = meta.conversationId;
    }
    current = turn.assistant;
    if (stopWanted) void stopAnswer(turn.assistant);
    if (conversationId.value !== meta.conversationId) {
      conversationId.value = meta.conversationId;
      options.onConversationStarted?.(meta.conversationId);
    }
    flushDeferred();
  }

  function afterOwnTurn(at: number) {
    if (at !== view) return;
    flushDeferred();
    settleStatus();
    const id = conversationId.value;
    if (!id) return;
    if (resyncWanted) {
      resyncWanted = false;
      resync(id, at);
    } else if (!live) {
      // A new conversation: follow it from now on (other tabs, a reload while the next answer runs).
      readAt = null;
      attach(id, at, null);
    }
  }

  function newMessage(role: ChatMessage['role'], content: string): ChatMessage {
    return {
      id: localId(role),
      conversationId: conversationId.value ?? '',
      role,
      content,
      status: role === 'assistant' ? 'streaming' : 'complete',
      createdAt: new Date().toISOString(),
    };
  }

  async function send(text: string) {
    const message = text.trim();
    if (!message || status.value === 'streaming' || status.value === 'loading') return;
    clearTimer();
    restoredDraft.value = null;
    const conversation = conversationId.value;
    const tip = messages.value.at(-1)?.id ?? null;
    messages.value.push({ ...newMessage('user', message), parentId: tip }, newMessage('assistant', ''));
    // Mutate through the reactive proxies so every delta re-renders.
    const user = messages.value[messages.value.length - 2] as ChatMessage;
    const assistant = messages.value[messages.value.length - 1] as ChatMessage;
    const body = conversation ? { message, conversationId: conversation } : { message };
    const accepted = await runOwn(
      (signal) => client.chat.chat(options.chatbotId(), body, signal),
      user,
      assistant,
    );
    if (!accepted) {
      messages.value = messages.value.filter((item) => item !== user && item !== assistant);
      restoredDraft.value = message;
    }
  }

  /**
   * Streams a new version of the message at `index` in place of it and what followed (they stay on
   * the old branch on the server); `user` is the new question, or null when answering again. A
   * refusal puts the branch back. Afterwards the view re-reads, for the server's version lists.
   */
  async function branchAt(
    index: number,
    user: ChatMessage | null,
    start: (signal: AbortSignal) => AsyncGenerator<ChatSseEvent>,
  ): Promise<boolean> {
    const before = messages.value.slice();
    const target = before[index]!;
    const answer = newMessage('assistant', '');
    const added = user ? [asNewVersionOf(user, target), answer] : [asNewVersionOf(answer, target)];
    messages.value = [...before.slice(0, index), ...added];
    const shown = messages.value.slice(index);
    resyncWanted = true;
    const accepted = await runOwn(start, user ? shown[0]! : null, shown.at(-1)!);
    if (!accepted) messages.value = before;
    return accepted;
  }

  /** Sends `text` as a new version of a sent message. False when nothing was sent. */
  async function edit(target: ChatMessage, text: string): Promise<boolean> {
    const content = text.trim();
    const index = messages.value.findIndex((message) => message.id === target.id);
    if (!content || index < 0 || target.role !== 'user' || status.value !== 'ready') return false;
    return branchAt(index, newMessage('user', content), (signal) =>
      client.chat.editMessage(target.id, content, signal),
    );
  }

  /** A new version of an answer (by default the last one); the old one stays a version. */
  async function regenerate(target?: ChatMessage): Promise<void> {
    const answer = target ?? messages.value.at(-1);
    const index = answer ? messages.value.findIndex((message) => message.id === answer.id) : -1;
    if (!answer || index < 0 || answer.role !== 'assistant' || status.value !== 'ready') return;
    await branchAt(index, null, (signal) => client.chat.regenerateMessage(answer.id, signal));
  }

  /** Shows the previous (-1) or next (1) version of a message, with the branch under it. */
  async function switchVersion(target: ChatMessage, step: -1 | 1): Promise<void> {
    const id = conversationId.value;
    const next = neighbourVersion(target, step);
    if (!id || !next || status.value !== 'ready' || switching.value) return;
    const at = view;
    switching.value = true;
    try {
      const conversation = await client.chat.setActiveBranch(id, next);
      if (at !== view) return;
      messages.value = conversation.messages;
      readAt = conversation.updatedAt;
      error.value = null;
    } catch (caught) {
      if (at === view) error.value = toApiError(caught);
    } finally {
      switching.value = false;
    }
  }

  async function stopAnswer(message: ChatMessage) {
    const at = view;
    try {
      await client.chat.stop(message.id);
    } catch (caught) {
      if (at === view) error.value = toApiError(caught);
      return;
    }
    // The streams end it (`aborted`); if they cannot (the network), the server's record decides.
    setTimeout(() => {
      const id = conversationId.value;
      if (at !== view || message.status !== 'streaming' || !id) return;
      own?.controller.abort();
      resync(id, at);
    }, STOP_GRACE_MS);
  }

  /** Stops the answer being written (this tab's or another's), on whichever instance runs it. */
  function stop() {
    if (own && !own.started) {
      stopWanted = true; // its id comes with `meta`
      return;
    }
    if (current) void stopAnswer(current);
  }

  onScopeDispose(detach);

  return {
    conversationId,
    messages,
    status,
    error,
    restoredDraft,
    switching,
    open,
    send,
    stop,
    regenerate,
    edit,
    switchVersion,
  };
}
