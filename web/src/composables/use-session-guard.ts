import { onScopeDispose } from 'vue';
import type { Router } from 'vue-router';
import { api, type Api } from '../api';
import { onUnauthorized } from '../api/http-client';
import { safeRedirect } from '../router';
import { onSessionMessage, useSession } from './use-session';

/**
 * Keeps this tab's session true to the server and to the other tabs: a 401 from any API call, or a
 * sign-out in another tab, sends the user to sign-in ("You were signed out") and back afterwards; a
 * sign-in in another tab signs this one in too. Call once, from the app root.
 */
export function useSessionGuard(router: Router, client: Api = api) {
  const session = useSession(client);

  function toSignIn() {
    const current = router.currentRoute.value;
    if (current.meta.public) return;
    void router.replace({ name: 'sign-in', query: { redirect: current.fullPath } });
  }

  const stopUnauthorized = onUnauthorized((path) => {
    // better-auth's own 401s mean "wrong password", not "your session ended".
    if (path.startsWith('/api/auth/')) return;
    if (session.end('expired')) toSignIn();
  });

  const stopMessages = onSessionMessage((message) => {
    if (message.type === 'signed-out') {
      if (session.end('elsewhere')) toSignIn();
      return;
    }
    const before = session.me.value?.id ?? null;
    if (before === message.userId) return;
    void session.load(true).then((user) => {
      if (!user) return;
      const current = router.currentRoute.value;
      if (current.name === 'sign-in' || current.name === 'sign-up')
        void router.replace(safeRedirect(current.query.redirect));
      // Another account now owns the cookie: nothing of the previous one stays on screen.
      else if (before !== null) void router.replace({ name: 'chatbots' });
    });
  });

  onScopeDispose(() => {
    stopUnauthorized();
    stopMessages();
  });
}
