import type { Me, PublicServerInfo } from '@app/common';

/** How people get an account on this server (`SIGNUP`, GET /api/config `signup`). */
export type SignupMode = 'open' | 'invite' | 'closed';

/** The server's sign-up mode; `open` when the server does not say (older servers). */
export function signupModeOf(info: PublicServerInfo | null | undefined): SignupMode {
  const value = (info as { signup?: unknown } | null | undefined)?.signup;
  return value === 'invite' || value === 'closed' ? value : 'open';
}

/** True for the account that signed up first and so became the administrator (GET /api/me). */
export function isFirstAccount(me: Me | null | undefined): boolean {
  return (me as { firstAccount?: unknown } | null | undefined)?.firstAccount === true && me?.role === 'admin';
}

export const SIGNUP_CLOSED_SENTENCE =
  'Sign-up is closed on this server; ask its administrator for an invite.';
