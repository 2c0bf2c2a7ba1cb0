import type { IncomingMessage, OutgoingHttpHeader, ServerResponse } from 'node:http';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * helmet's headers, computed once: they do not depend on the request, and building helmet's
 * middleware per request (what @fastify/helmet does) cost more CPU than the rest of a small request.
 * A hijacked reply (the SSE stream) copies them over (see SseWriter.open).
 */
export const securityHeadersPlugin = fp<{ helmet: HelmetOptions }>(
  async (app: FastifyInstance, options) => {
    const headers = helmetHeaders(options.helmet);
    app.addHook('onRequest', (_request, reply, done) => {
      reply.headers(headers);
      done();
    });
  },
  { name: 'security-headers' },
);

/** Runs helmet once against a recording response and returns the headers it set. */
export function helmetHeaders(options: HelmetOptions): Record<string, OutgoingHttpHeader> {
  const recorded: Record<string, OutgoingHttpHeader> = {};
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
