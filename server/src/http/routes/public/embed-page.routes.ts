import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Publishing } from '../../../services/publishing/create-publishing.js';
import { send } from '../../plugins/error-handler.js';

/**
 * GET /embed/:slug, the widget panel (the SPA inside the launcher's iframe). The one page that may
 * be framed: `frame-ancestors` lists the bot's allowed origins (none when the bot is not published
 * as a widget) and X-Frame-Options is dropped for it; every other page keeps frame-ancestors 'none'.
 */
export const embedPageRoutes: FastifyPluginAsync<{ publishing: Publishing; hasSpa: boolean }> = async (
  app,
  { publishing, hasSpa },
) => {
  app.get<{ Params: { slug: string } }>(
    '/embed/:slug',
    { schema: { hide: true } },
    async (request, reply) => {
      const origins = await publishing.bots
        .resolve(request.params.slug)
        .then((bot) => (bot.row.mode === 'widget' ? bot.row.allowedOrigins : []))
        .catch(() => []);
      allowFraming(reply, origins);
      if (!hasSpa) return send(reply, 'not_found', 'The web app is not built');
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    },
  );
};

/** The page's CSP with `frame-ancestors` set to `origins` ('none' when empty), X-Frame-Options removed. */
export function allowFraming(reply: FastifyReply, origins: readonly string[]): void {
  const ancestors = origins.length > 0 ? origins.join(' ') : "'none'";
  const csp = String(reply.getHeader('content-security-policy') ?? '');
  const directives = csp
    .split(';')
    .map((directive) => directive.trim())
    .filter((directive) => directive !== '' && !directive.startsWith('frame-ancestors'));
  reply.header('content-security-policy', [...directives, `frame-ancestors ${ancestors}`].join('; '));
  reply.removeHeader('x-frame-options');
}

/** @fastify/static's setHeaders for the launcher script: loaded by any website, cached briefly. */
export function widgetAssetHeaders(reply: FastifyReply, path: string): void {
  if (!path.endsWith('/widget.js')) return;
  reply.header('cross-origin-resource-policy', 'cross-origin');
  reply.header('cache-control', 'public, max-age=300, stale-while-revalidate=86400');
}
