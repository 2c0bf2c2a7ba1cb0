import type { Me, PublicServerInfo } from '@app/common';

/** How people get an account on this server (`SIGNUP`, GET /api/config `signup`). */
export type SignupMode = PublicServerInfo['signup'];

/** The server's sign-up mode; `open` until the server info has loaded. */
export function signupModeOf(info: PublicServerInfo | null | undefined): SignupMode {
  return info?.signup ?? 'open';
}

/** True for the account that signed up first and so became the administrator (GET /api/me). */
export function isFirstAccount(me: Me | null | undefined): boolean {
  return me?.firstAccount === true && me.role === 'admin';
}

export const SIGNUP_CLOSED_SENTENCE =
  'Sign-up is closed on this server; ask its administrator for an invite.';
