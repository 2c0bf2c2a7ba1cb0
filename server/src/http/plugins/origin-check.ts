import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF guard for cookie-authenticated writes outside better-auth (which checks origins itself):
 * a state-changing `/api/*` request is refused (403 `forbidden`) when the browser says it comes from
 * another site — an `Origin` outside the trusted origins (`null` included), or, without `Origin`,
 * `Sec-Fetch-Site: cross-site`. Requests without either (curl, the admin CLI, server-to-server) pass:
 * they carry no ambient browser cookie by accident. SameSite=Lax cookies and JSON-only bodies already
 * stop most cross-site writes; this closes the rest (same-site subdomains, old browsers, form posts
 * with a JSON-looking text/plain body).
 */
export const originCheckPlugin = fp(
  async (app: FastifyInstance, options: { trustedOrigins: readonly string[] }) => {
    const trusted = new Set(options.trustedOrigins.map(normalizeOrigin));
    // Synchronous (callback) hook: it runs on every request and never waits for anything.
    app.addHook('onRequest', (request, _reply, done) => {
      done(
        refusal(
          request.method,
          request.url,
          request.headers.origin,
          request.headers['sec-fetch-site'],
          trusted,
        ),
      );
    });
  },
  { name: 'origin-check', dependencies: ['error-handler'] },
);

/** The reason to refuse a request, or undefined to let it through. */
function refusal(
  method: string,
  url: string,
  origin: string | undefined,
  fetchSite: string | string[] | undefined,
  trusted: ReadonlySet<string>,
): AppError | undefined {
  if (SAFE_METHODS.has(method)) return undefined;
  if (!url.startsWith('/api/') || url.startsWith('/api/auth/')) return undefined;
  // The visitor API ignores cookies (a bearer token, no ambient credential): nothing to forge.
  // Its own origin rules (allowed embed origins) are checked by services/publishing.
  if (url.startsWith('/api/public/')) return undefined;
  if (origin !== undefined) {
    return trusted.has(origin) ? undefined : new AppError('forbidden', 'Cross-origin request refused');
  }
  return fetchSite === 'cross-site' ? new AppError('forbidden', 'Cross-site request refused') : undefined;
}

/** `https://Example.com/` → `https://example.com`; a value that is not a URL is compared as given. */
function normalizeOrigin(origin: string): string {
  try {
    return new URL(origin).origin;
  } catch {
    return origin;
  }
}
