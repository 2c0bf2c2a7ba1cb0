import { createHash, randomBytes } from 'node:crypto';
import { API_KEY_PREFIX } from '@app/common';

/** Characters of the secret kept in clear (prefix + 8): enough to recognise a key, useless to use it. */
export const SHOWN_PREFIX_LENGTH = API_KEY_PREFIX.length + 8;

/** `cbk_` + 32 random bytes in base64url (256 bits: no guessing, so a fast hash is enough). */
export function newSecret(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * SHA-256 of the secret, hex. A slow password hash (bcrypt, scrypt) protects guessable passwords;
 * a 256-bit random secret cannot be guessed, and every API request looks its key up by this.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function shownPrefix(secret: string): string {
  return secret.slice(0, SHOWN_PREFIX_LENGTH);
}

/** The secret of an `Authorization: Bearer cbk_…` header, or null. */
export function bearerSecret(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}
