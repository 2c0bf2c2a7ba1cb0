import { z } from 'zod';
import { plainText } from './text.js';

/**
 * The bodies of better-auth's user-facing writes, checked at our boundary before better-auth sees
 * them (server/src/auth/create-auth.ts): a name or email the database cannot store, or one large
 * enough to bloat every later request, is a 400 `validation_failed`, not a 500. Unknown fields are
 * refused (mass-assignment guard: `role`, `emailVerified`…).
 */
export const USER_NAME_MAX = 100;
/** The longest address SMTP carries (RFC 5321 path limit). */
export const EMAIL_MAX = 254;
export const PASSWORD_MIN = 8;
/** better-auth's default; a longer one only costs hashing time. */
export const PASSWORD_MAX = 128;
const URL_MAX = 2048;

const userName = plainText(
  z.string().max(USER_NAME_MAX, `must be at most ${USER_NAME_MAX} characters`),
).refine((value) => value.trim().length > 0, 'must not be empty');
const email = plainText(z.string().max(EMAIL_MAX, `must be at most ${EMAIL_MAX} characters`)).pipe(
  z.email('must be an email address'),
);
const newPassword = z
  .string()
  .min(PASSWORD_MIN, `must be at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `must be at most ${PASSWORD_MAX} characters`);
const currentPassword = z
  .string()
  .min(1, 'is required')
  .max(PASSWORD_MAX, `must be at most ${PASSWORD_MAX} characters`);
const url = plainText(z.string().max(URL_MAX, `must be at most ${URL_MAX} characters`));

/** POST /api/auth/sign-up/email */
export const signUpBody = z
  .object({
    name: userName,
    email,
    password: newPassword,
    image: url.optional(),
    callbackURL: url.optional(),
    rememberMe: z.boolean().optional(),
  })
  .strict();

/** POST /api/auth/sign-in/email */
export const signInBody = z
  .object({
    email,
    password: currentPassword,
    callbackURL: url.optional(),
    rememberMe: z.boolean().optional(),
  })
  .strict();

/** POST /api/auth/update-user (better-auth refuses an email change here on its own). */
export const updateUserBody = z
  .object({ name: userName, image: url.nullable() })
  .partial()
  .strict()
  .refine((body) => body.name !== undefined || body.image !== undefined, 'name or image is required');

/** POST /api/auth/change-password */
export const changePasswordBody = z
  .object({ currentPassword, newPassword, revokeOtherSessions: z.boolean().optional() })
  .strict();

/**
 * POST /api/auth/change-email: the current password is checked at our boundary before better-auth
 * changes the address (server/src/auth/create-auth.ts), and removed from the body it sees.
 */
export const changeEmailBody = z
  .object({ newEmail: email, currentPassword, callbackURL: url.optional() })
  .strict();

/** POST /api/auth/delete-user: always with the password (no "fresh session" deletion). */
export const deleteUserBody = z.object({ password: currentPassword, callbackURL: url.optional() }).strict();

/** POST /api/auth/revoke-sessions, /revoke-other-sessions: an empty object. */
export const emptyBody = z.object({}).strict();
