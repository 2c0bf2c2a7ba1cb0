import type { ApiError } from '../../api';
import { SIGNUP_CLOSED_SENTENCE } from './server-flags';

export const INVITE_MISSING_SENTENCE =
  'Sign-up on this server is by invite. Open the invite link you were given, or paste its code here.';
export const INVITE_INVALID_SENTENCE =
  'This invite is not valid: it may have been used already or have expired. Ask the administrator for a new one.';

/** The sign-up refusals that are about who may sign up, in sentences, on the field they concern. */
export function signupRefusal(error: ApiError | null): { invite?: string; top?: string } | null {
  if (!error) return null;
  // The server words it for the form (missing or not usable); ours when it sends no sentence.
  if (error.code === 'invite_invalid') return { invite: error.message.trim() || INVITE_INVALID_SENTENCE };
  if (error.code === 'signup_closed') return { top: SIGNUP_CLOSED_SENTENCE };
  return null;
}
