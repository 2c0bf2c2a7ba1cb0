import { ReadThroughCache } from '../services/cache/read-through-cache.js';

export interface AuthUser {
  id: string;
  email: string;
  name: string;
  role: 'user' | 'admin';
}

/**
 * Verified sessions by cookie header (null = signed out), filed by user id: the hot path (chat,
 * models) answers a warm session from memory, without better-auth and without the database.
 *
 * It is the only session cache (better-auth's signed cookie cache is off, create-auth.ts), so
 * dropping an entry really sends the next request to the database. Whatever changes a user's
 * sessions, role or profile drops all of that user's entries (`forgetGroup(userId)`): at once on
 * the instance that made the change, and on the others through the `user:<id>` invalidation over
 * Redis (create-services.ts). Without Redis, or when a message is lost, the TTL bounds the
 * staleness: an entry older than half of it is refreshed in the background, none is served older.
 */
export type SessionCache = ReadThroughCache<AuthUser | null>;

export const SESSION_CACHE_TTL_MS = 20_000;
/** At ≈ 0.5 KB an entry (the cookie header is the key), a few MB at most; the user index holds only cached keys. */
const SESSION_CACHE_MAX = 10_000;

export function createSessionCache(ttlMs = SESSION_CACHE_TTL_MS): SessionCache {
  return new ReadThroughCache<AuthUser | null>({
    max: SESSION_CACHE_MAX,
    ttlMs,
    groupOf: (user) => user?.id ?? null,
  });
}
