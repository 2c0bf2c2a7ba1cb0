import type { IncomingMessage, OutgoingHttpHeader, ServerResponse } from 'node:http';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

type HeaderSet = Record<string, OutgoingHttpHeader>;

/**
 * Security headers, computed once: they do not depend on the request, and building helmet's
 * middleware per request (what @fastify/helmet does) cost more CPU than the rest of a small request.
 * Pages (the SPA, static files, the API docs) get helmet's full set; API answers (JSON, the event
 * stream) get the set for APIs of OWASP's REST Security Cheat Sheet: the rest of helmet's headers
 * only mean something to a document, and Node validates every header of every answer.
 * A hijacked reply (the SSE stream) copies them over (see SseWriter.open).
 */
export const securityHeadersPlugin = fp<{ helmet: HelmetOptions }>(
  async (app: FastifyInstance, options) => {
    const pageHeaders = helmetHeaders(options.helmet);
    const apiHeaders = apiSecurityHeaders(pageHeaders);
    app.addHook('onRequest', (request, reply, done) => {
      reply.headers(isApiUrl(request.url) ? apiHeaders : pageHeaders);
      done();
    });
  },
  { name: 'security-headers' },
);

/** The HTML pages under `/api/`: the docs UI, and better-auth's error page (inline styles). */
const PAGES_UNDER_API = ['/api/docs', '/api/auth/error'];

/** `/api/…` except its HTML pages. */
export function isApiUrl(url: string): boolean {
  return (
    (url.startsWith('/api/') || url === '/api' || url.startsWith('/api?')) &&
    !PAGES_UNDER_API.some((page) => url.startsWith(page))
  );
}

/**
 * Nothing in an API answer may run, be framed, be read cross-origin or be sniffed into HTML; HSTS
 * as the pages have it.
 */
export function apiSecurityHeaders(pageHeaders: HeaderSet): HeaderSet {
  const headers: HeaderSet = {
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'cross-origin-resource-policy': 'same-origin',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
  };
  const hsts = pageHeaders['strict-transport-security'];
  if (hsts !== undefined) headers['strict-transport-security'] = hsts;
  return headers;
}

/** Runs helmet once against a recording response and returns the headers it set. */
export function helmetHeaders(options: HelmetOptions): HeaderSet {
  const recorded: HeaderSet = {};
  const response = {
    setHeader: (name: string, value: OutgoingHttpHeader) => {
      recorded[name.toLowerCase()] = value;
    },
    removeHeader: (name: string) => {
      delete recorded[name.toLowerCase()];
    },
  } as unknown as ServerResponse;
  let failure: unknown = null;
  helmet(options)({} as IncomingMessage, response, (error?: unknown) => {
    failure = error ?? null;
  });
  if (failure) throw failure;
  return recorded;
}
