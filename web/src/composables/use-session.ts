import { readonly, ref, shallowRef } from 'vue';
import type { Me } from '@app/common';
import { api, ApiError, type Api } from '../api';
import type { LoadStatus } from './use-resource';
import { toApiError } from './use-resource';

// One session per tab: module state shared by the header, the route guard and the pages.
const me = shallowRef<Me | null>(null);
const status = ref<LoadStatus>('idle');
const error = shallowRef<ApiError | null>(null);
let inFlight: Promise<Me | null> | null = null;

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
    return load(true);
  }

  /**
   * Creates the account, then signs in with it. The server answers a sign-up the same whether the
   * email is new or taken (no account enumeration), so only the sign-in tells: it fails when the
   * email already had an account with another password.
   */
  async function signUp(name: string, email: string, password: string) {
    await client.account.signUp({ name, email, password });
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
    return load(true);
  }

  async function signOut() {
    try {
      await client.account.signOut();
    } finally {
      me.value = null;
      status.value = 'ready';
    }
  }

  return {
    me: readonly(me),
    status: readonly(status),
    error: readonly(error),
    load,
    signIn,
    signUp,
    signOut,
  };
}
