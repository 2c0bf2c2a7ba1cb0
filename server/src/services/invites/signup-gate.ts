import type { Db } from '../../db/database.js';
import { claimFirstAccount, hasNoAccounts } from './first-account.js';
import { INVITE_INVALID, type InviteService } from './invite-service.js';

export type SignupMode = 'open' | 'invite' | 'closed';

/** Why a sign-up is refused, in words for the form (create-auth.ts turns it into the error shape). */
export interface SignupRefusal {
  status: 'FORBIDDEN' | 'BAD_REQUEST';
  code: 'signup_closed' | 'invite_invalid';
  message: string;
  field?: 'inviteCode';
}

export const SIGNUP_CLOSED = 'Sign-up is closed on this server; ask its administrator for an invite.';
const INVITE_MISSING =
  'Sign-up on this server needs an invite: open the invite link your administrator sent you.';

export interface SignupGateOptions {
  db: Db;
  mode: SignupMode;
  invites: InviteService;
  /** The account that became administrator by being first (the start-up log names it). */
  onFirstAccount?: (email: string) => void;
}

/**
 * SIGNUP=open|invite|closed and the first account. The instance's first account may always sign up
 * (otherwise a fresh closed instance could never be used) and becomes its administrator. `invite`
 * asks every sign-up for an invite; `closed` refuses sign-ups without one (the sign-up page is not
 * offered), while an invite link an administrator made still works in both.
 */
export class SignupGate {
  constructor(private readonly options: SignupGateOptions) {}

  /** Before better-auth runs the sign-up (and hashes the password): null when it may go on. */
  async check(email: string, inviteCode: string | undefined): Promise<SignupRefusal | null> {
    const { mode, invites, db } = this.options;
    if (mode === 'open' || (await hasNoAccounts(db))) return null;
    if (!inviteCode) {
      return mode === 'closed'
        ? { status: 'FORBIDDEN', code: 'signup_closed', message: SIGNUP_CLOSED }
        : invalid(INVITE_MISSING);
    }
    return (await invites.isUsable(inviteCode, email)) ? null : invalid(INVITE_INVALID);
  }

  /**
   * Right before the account row is written: takes the invite (single use, atomic). Only a race
   * lands here refused (the invite was taken, or another account appeared since check()); the
   * status is 400 even for `signup_closed`, since better-auth turns a 403 here into its
   * "maybe the email exists" answer.
   */
  async claim(email: string, inviteCode: string | undefined): Promise<SignupRefusal | null> {
    const { mode, invites, db } = this.options;
    if (mode === 'open') return null;
    if (inviteCode && (await invites.claim(inviteCode, email))) return null;
    if (await hasNoAccounts(db)) return null;
    if (inviteCode) return invalid(INVITE_INVALID);
    return mode === 'closed'
      ? { status: 'BAD_REQUEST', code: 'signup_closed', message: SIGNUP_CLOSED }
      : invalid(INVITE_MISSING);
  }

  /** After the account row exists: first account → administrator; a claimed invite → linked to it. */
  async created(account: { id: string; email: string }): Promise<void> {
    if (await claimFirstAccount(this.options.db, account.id)) this.options.onFirstAccount?.(account.email);
    if (this.options.mode !== 'open') await this.options.invites.linkAccount(account.email, account.id);
  }
}

function invalid(message: string): SignupRefusal {
  return { status: 'BAD_REQUEST', code: 'invite_invalid', message, field: 'inviteCode' };
}
