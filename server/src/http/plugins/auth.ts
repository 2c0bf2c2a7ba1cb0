import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fromNodeHeaders } from 'better-auth/node';
import type { Auth } from '../../auth/create-auth.js';
import { AppError } from '../../errors.js';
import { AUTH_ROUTE, authTargetOf } from '../auth-path.js';
import { ReadThroughCache } from '../../services/cache/read-through-cache.js';

export interface AuthUser {
  id: string;
  email: string;
  name: string;
  role: 'user' | 'admin';
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user, or null. Set for every /api/* request outside /api/auth. */
    user: AuthUser | null;
  }
}

/** The signed-in user, or a 401. */
export function requireUser(request: FastifyRequest): AuthUser {
  if (!request.user) throw new AppError('unauthorized', 'Sign in to continue');
  return request.user;
}

/** An admin, or 403 (401 when anonymous). */
export function requireAdmin(request: FastifyRequest): AuthUser {
  const user = requireUser(request);
  if (user.role !== 'admin') throw new AppError('forbidden', 'Administrators only');
  return user;
}

/**
 * Verified sessions by cookie header: the hot path (chat, models) skips better-auth's per-request
 * context building. The same read-through cache as chatbots and plans: requests that miss together
 * share one lookup, an answer older than 10 s is served while a fresh one is looked up in the
 * background (an active user never waits for the refresh), and none is served older than 20 s.
 * Both are shorter than better-auth's own cookie cache (60 s), so a sign-out or role change
 * elsewhere is seen no later than better-auth itself would see it; a sign-out through this instance
 * drops the entry at once. Null = signed out.
 */
const SESSION_CACHE_TTL_MS = 20_000;

/** Mounts better-auth under /api/auth/* and resolves the session of every other API request. */
export const authPlugin = fp(
  async (app: FastifyInstance, options: { auth: Auth; sessionCacheTtlMs?: number }) => {
    const { auth } = options;
    const sessions = new ReadThroughCache<AuthUser | null>({
      max: 10_000,
      ttlMs: options.sessionCacheTtlMs ?? SESSION_CACHE_TTL_MS,
    });
    const lookUpUser = async (request: FastifyRequest): Promise<AuthUser | null> => {
      const session = await auth.api.getSession({ headers: fromNodeHeaders(request.headers) });
      return session ? toAuthUser(session.user as typeof session.user & { role?: string }) : null;
    };
    app.decorateRequest('user', null);

    app.route({
      method: ['GET', 'POST'],
      url: AUTH_ROUTE,
      schema: { hide: true },
      async handler(request, reply) {
        // better-auth routes on the URL it is handed, not on the raw target: a target the URL parser
        // would rewrite (dot segments, %2e, a backslash, #fragment, absolute-form) is refused, so the
        // per-path limits (rate-limit.ts, keyed on the same resolved path) and better-auth see one path.
        const { url, canonical } = authTargetOf(request);
        if (!url || !canonical) {
          throw new AppError(
            'bad_request',
            'Non-canonical auth path refused: send the path as is (no dot segments, encoded dots, backslashes, fragment or absolute URL)',
          );
        }
        const response = await auth.handler(
          new Request(url, {
            method: request.method,
            headers: fromNodeHeaders(request.headers),
            body:
              request.method === 'POST' && request.body !== undefined ? reserialize(request.body) : undefined,
          }),
        );
        reply.status(response.status);
        response.headers.forEach((value, key) => {
          if (key !== 'set-cookie') reply.header(key, value);
        });
        const cookies = response.headers.getSetCookie();
        if (cookies.length > 0) reply.header('set-cookie', cookies);
        return reply.send(response.body ? await response.text() : null);
      },
    });

    // Callback hooks: a cached session is answered without a promise (this runs on every request).
    app.addHook('onRequest', (request, _reply, done) => {
      const cookie = request.headers.cookie;
      if (!cookie || !request.url.startsWith('/api/') || request.url.startsWith('/api/auth/')) return done();
      const lookUp = () => lookUpUser(request);
      const cached = sessions.peek(cookie, lookUp);
      if (cached) {
        request.user = cached.value;
        return done();
      }
      sessions.get(cookie, lookUp).then((user) => {
        request.user = user;
        done();
      }, done);
    });

    // Signing out (or in) through this instance drops the cached answer for that cookie at once.
    app.addHook('onResponse', (request, _reply, done) => {
      if (request.url.startsWith('/api/auth/') && request.headers.cookie)
        sessions.forget(request.headers.cookie);
      done();
    });
  },
  { name: 'auth' },
);

function toAuthUser(user: { id: string; email: string; name: string; role?: string }): AuthUser {
  return { id: user.id, email: user.email, name: user.name, role: user.role === 'admin' ? 'admin' : 'user' };
}

/** The parsed body again as JSON for better-auth; a body nested too deep to re-serialise is refused. */
function reserialize(body: unknown): string {
  try {
    return JSON.stringify(body);
  } catch (error) {
    throw new AppError('bad_request', 'The request body is nested too deeply', { cause: error });
  }
}
