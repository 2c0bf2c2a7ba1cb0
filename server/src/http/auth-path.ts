import type { FastifyRequest } from 'fastify';

/** The catch-all route that hands requests to better-auth (http/plugins/auth.ts). */
export const AUTH_ROUTE = '/api/auth/*';

export interface AuthTarget {
  /** The URL handed to better-auth; null when the request target does not parse as one. */
  url: URL | null;
  /**
   * The key of per-path limits: the URL's pathname (dot segments, `%2e`, backslashes resolved by the
   * URL parser; fragment and query dropped), percent-decoded, lower-cased, with runs of `/` collapsed
   * and trailing ones dropped. A superset of what better-auth routes to a path today (its router
   * matches the pathname exactly, refuses `//` and a trailing slash), so a future router that
   * decodes, ignores case or slashes cannot open a way around a limit. Null when `url` is.
   */
  path: string | null;
  /** The raw target already is that URL's path (origin-form, nothing for the URL parser to rewrite). */
  canonical: boolean;
}

const targets = new WeakMap<FastifyRequest, AuthTarget>();

/**
 * How better-auth will see this request: the rate-limit hook and the auth route both ask here, so a
 * limit is counted on the very path better-auth then routes (computed once per request).
 */
export function authTargetOf(request: FastifyRequest): AuthTarget {
  let target = targets.get(request);
  if (!target) {
    target = resolveAuthTarget(request.url, request.headers.host);
    targets.set(request, target);
  }
  return target;
}

/**
 * Resolves a raw request target the way the auth route builds better-auth's `Request`
 * (`new URL(target, http://<host>)`). The WHATWG URL parser rewrites `/a/./b`, `/a/x/../b`, `%2e`
 * and `%2E` segments, `\` and a `#fragment`, and takes scheme and host from an absolute-form target
 * (`http://host/api/...`): any of those makes the target non-canonical.
 */
export function resolveAuthTarget(rawUrl: string, host: string | undefined): AuthTarget {
  let url: URL;
  try {
    url = new URL(rawUrl, `http://${host ?? 'localhost'}`);
  } catch {
    return { url: null, path: null, canonical: false };
  }
  const queryAt = rawUrl.indexOf('?');
  const rawPath = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
  return {
    url,
    path: limitKeyOf(url.pathname),
    canonical: rawPath === url.pathname,
  };
}

function limitKeyOf(pathname: string): string {
  let decoded = pathname;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    // A malformed escape stays as it is (better-auth would not route it either).
  }
  return (
    decoded
      .toLowerCase()
      .replace(/\/{2,}/g, '/')
      .replace(/\/+$/, '') || '/'
  );
}
