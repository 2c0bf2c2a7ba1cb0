import { readonly, ref, shallowRef } from 'vue';
import type { Me } from '@app/common';
import { api, ApiError, type Api } from '../api';
import type { LoadStatus } from './use-resource';
import { toApiError } from './use-resource';

// One session per tab: module state shared by the header, the route guard and the pages.
const me = shallowRef<Me | null>(null);
const status = ref<LoadStatus>('idle');
const error = shallowRef<ApiError | null>(null);
/** Why this tab lost its session, for the sign-in page: null after a sign-in or a sign-out here. */
const endedReason = ref<SessionEndReason | null>(null);
let inFlight: Promise<Me | null> | null = null;

/** `elsewhere`: signed out in another tab; `expired`: the server answered 401 (expired, revoked…). */
export type SessionEndReason = 'elsewhere' | 'expired';

/** What one tab tells the others of the same origin. */
export type SessionMessage = { type: 'signed-out' } | { type: 'signed-in'; userId: string };

const CHANNEL_NAME = 'chatbot-builder-session';
/** The storage-event fallback where BroadcastChannel is missing. */
const STORAGE_KEY = 'chatbot-builder:session';

let channel: BroadcastChannel | null | undefined;
function sessionChannel(): BroadcastChannel | null {
  if (channel === undefined) {
    channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL_NAME) : null;
  }
  return channel;
}

/** Tells the other tabs (never this one) that the session changed. */
export function broadcastSession(message: SessionMessage) {
  const open = sessionChannel();
  if (open) {
    open.postMessage(message);
    return;
  }
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ ...message, at: Date.now() }));
  } catch {
    // storage may be unavailable (private mode): the other tabs learn at their next request (401)
  }
}

/** Listens to the other tabs' session changes. Returns the unsubscribe function. */
export function onSessionMessage(listener: (message: SessionMessage) => void): () => void {
  const open = sessionChannel();
  if (open) {
    const onMessage = (event: MessageEvent) => {
      const data = event.data as SessionMessage | null;
      if (data && (data.type === 'signed-out' || data.type === 'signed-in')) listener(data);
    };
    open.addEventListener('message', onMessage);
    return () => open.removeEventListener('message', onMessage);
  }
  const onStorage = (event: StorageEvent) => {
    if (event.key !== STORAGE_KEY || !event.newValue) return;
    try {
      const data = JSON.parse(event.newValue) as SessionMessage;
      if (data.type === 'signed-out' || data.type === 'signed-in') listener(data);
    } catch {
      // not ours
    }
  };
  window.addEventListener('storage', onStorage);
  return () => window.removeEventListener('storage', onStorage);
}

async function fetchMe(client: Api): Promise<Me | null> {
  status.value = 'loading';
  error.value = null;
  try {
    me.value = await client.account.me();
  } catch (caught) {
    const apiError = toApiError(caught);
    me.value = null;
    if (apiError.status !== 401) {
      error.value = apiError;
      status.value = 'error';
      return null;
    }
  }
  status.value = 'ready';
  return me.value;
}

export function useSession(client: Api = api) {
  /** Loads the signed-in user once (or again with `force`); null when anonymous. */
  function load(force = false): Promise<Me | null> {
    if (!force && status.value === 'ready') return Promise.resolve(me.value);
    inFlight ??= fetchMe(client).finally(() => {
      inFlight = null;
    });
    return inFlight;
  }

  async function signIn(email: string, password: string) {
    await client.account.signIn({ email, password });
    const user = await load(true);
    if (user) {
      endedReason.value = null;
      broadcastSession({ type: 'signed-in', userId: user.id });
    }
    return user;
  }

  /**
   * Creates the account, then signs in with it. The server answers a sign-up the same whether the
   * email is new or taken (no account enumeration), so only the sign-in tells: it fails when the
   * email already had an account with another password.
   */
  async function signUp(name: string, email: string, password: string, inviteCode?: string) {
    await client.account.signUp(
      inviteCode ? { name, email, password, inviteCode } : { name, email, password },
    );
    try {
      await client.account.signIn({ email, password });
    } catch (caught) {
      const apiError = toApiError(caught);
      if (apiError.status !== 401) throw apiError;
      throw new ApiError(
        401,
        'unauthorized',
        'Could not sign you in. If this email already has an account, sign in with its password instead.',
      );
    }
    const user = await load(true);
    if (user) {
      endedReason.value = null;
      broadcastSession({ type: 'signed-in', userId: user.id });
    }
    return user;
  }

  /** Signs out here and, at once, in every other tab of this browser. */
  async function signOut() {
    try {
      await client.account.signOut();
    } finally {
      me.value = null;
      status.value = 'ready';
      endedReason.value = null;
      broadcastSession({ type: 'signed-out' });
    }
  }

  /**
   * Forgets the user after the session ended outside this tab. Returns whether this tab believed it
   * was signed in (so the caller sends it to sign-in once, not for every failed request).
   */
  function end(reason: SessionEndReason): boolean {
    const wasSignedIn = me.value !== null;
    me.value = null;
    status.value = 'ready';
    if (wasSignedIn) endedReason.value = reason;
    return wasSignedIn;
  }

  return {
    me: readonly(me),
    status: readonly(status),
    error: readonly(error),
    endedReason: readonly(endedReason),
    load,
    end,
    signIn,
    signUp,
    signOut,
  };
}
