import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fromNodeHeaders } from 'better-auth/node';
import type { Auth } from '../../auth/create-auth.js';
import { sqlStateIn } from '../../db/sql-state.js';
import { AppError } from '../../errors.js';
import { AUTH_ROUTE, authTargetOf } from '../auth-path.js';
import { createSessionCache, type AuthUser, type SessionCache } from '../../auth/session-cache.js';

export type { AuthUser } from '../../auth/session-cache.js';

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

export interface AuthPluginOptions {
  auth: Auth;
  /**
   * Verified sessions by cookie header (auth/session-cache.ts): the hot path (chat, models) skips
   * better-auth and the database when warm; requests that miss together share one lookup. Given by
   * create-services.ts, which drops a user's entries when another instance says so.
   */
  sessions?: SessionCache;
  /** Without `sessions`: the TTL of the plugin's own cache. */
  sessionCacheTtlMs?: number;
  /**
   * A write through better-auth succeeded for this signed-in user (sign-out, password change,
   * profile update…): drop their cached sessions here and on every instance. Default: here only.
   */
  onUserChange?: (userId: string) => Promise<void>;
}

/** Mounts better-auth under /api/auth/* and resolves the session of every other API request. */
export const authPlugin = fp(
  async (app: FastifyInstance, options: AuthPluginOptions) => {
    const { auth } = options;
    const sessions = options.sessions ?? createSessionCache(options.sessionCacheTtlMs);
    const userChanged =
      options.onUserChange ??
      (async (userId: string) => {
        sessions.forgetGroup(userId);
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
        const cookie = request.headers.cookie;
        // Whose sessions a write may end or change, resolved before better-auth deletes them. Any
        // successful POST counts (sign-out, change-password, update-user, revoke-*…): no path list
        // to fall out of date; a sign-in's or sign-up's only cost is one reload of that user.
        const caller =
          request.method === 'POST' && cookie
            ? await sessions.get(cookie, () => lookUpUser(request)).catch(() => null)
            : null;
        const response = await auth
          .handler(
            new Request(url, {
              method: request.method,
              headers: fromNodeHeaders(request.headers),
              body:
                request.method === 'POST' && request.body !== undefined
                  ? reserialize(request.body)
                  : undefined,
            }),
          )
          .catch((error: unknown) => {
            throw authFailure(request, error);
          });
        // Dropped before the answer leaves: a request sent after it never finds the old session here,
        // nor (when told over Redis, which takes a few ms) on any other instance.
        if (cookie) sessions.forget(cookie);
        if (caller && response.ok) await userChanged(caller.id);
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
      // Published bots' visitor API: a bearer visitor token, never a session (cookies are ignored).
      if (request.url.startsWith('/api/public/')) return done();
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
  },
  { name: 'auth' },
);

function toAuthUser(user: { id: string; email: string; name: string; role?: string }): AuthUser {
  return { id: user.id, email: user.email, name: user.name, role: user.role === 'admin' ? 'admin' : 'user' };
}

/**
 * better-auth threw (it is told to, create-auth.ts): a database error's message carries the failed
 * query and its parameters (a user's email or name), so it is logged by name and SQLSTATE only. Data
 * the database refused (class 22: a NUL byte…) stays the client's 400 (the error handler logs only
 * the SQLSTATE); anything else is a generic 500.
 */
function authFailure(request: FastifyRequest, error: unknown): unknown {
  if (sqlStateIn(error, (state) => state.startsWith('22'))) return error;
  request.log.error(
    {
      errorName: error instanceof Error ? error.name : typeof error,
      sqlState: sqlStateIn(error, () => true),
    },
    'auth request failed',
  );
  return new AppError('internal', 'Something went wrong on our side. Please try again.');
}

/** The parsed body again as JSON for better-auth; a body nested too deep to re-serialise is refused. */
function reserialize(body: unknown): string {
  try {
    return JSON.stringify(body);
  } catch (error) {
    throw new AppError('bad_request', 'The request body is nested too deeply', { cause: error });
  }
}
