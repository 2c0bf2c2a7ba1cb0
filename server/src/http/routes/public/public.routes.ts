import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Publishing } from '../../../services/publishing/create-publishing.js';
import { toPublicBot } from '../../../services/publishing/public-views.js';
import { notFound } from '../../../errors.js';
import { streamTurn, type RunTurn } from '../chat/turn-response.js';
import { commonErrors, errorResponse } from '../error.schemas.js';
import { publicCaller } from './public-caller.js';
import {
  avatarParams,
  feedbackBody,
  galleryResponse,
  publicBotResponse,
  publicChatBody,
  publicChatStream,
  publicConversation,
  publicConversationList,
  slugIdParams,
  slugParams,
  stopResult,
  visitorTokenResponse,
} from './public.schemas.js';

const tags = ['public'];
/** Public routes answer to a visitor token, never to a session cookie. */
const security = [{ visitorToken: [] }];
const turnErrors = {
  ...commonErrors,
  409: errorResponse,
  502: errorResponse,
  503: errorResponse,
  504: errorResponse,
};

/**
 * The visitor API of published chatbots (issue 22, docs/publishing.md): no account, a visitor
 * token (Authorization: Bearer), the origin and caps checked on every call by PublicChatService.
 */
export const publicRoutes: FastifyPluginAsyncZod<{ publishing: Publishing }> = async (
  app,
  { publishing },
) => {
  const { publicChat } = publishing;

  app.get(
    '/api/public/bots/:slug',
    {
      schema: {
        tags,
        security: [],
        summary: 'A published chatbot (404 when off, unknown, or its owner may no longer publish)',
        params: slugParams,
        response: { 200: publicBotResponse, ...commonErrors },
      },
    },
    async (request, reply) => {
      const bot = toPublicBot((await publicChat.bot(request.params.slug, publicCaller(request))).row);
      // The launcher reads the bot's look from the host page (a simple cross-origin GET, no
      // credentials): public data, so any origin may read it; every other public route stays same-origin.
      void reply.header('access-control-allow-origin', '*');
      return bot;
    },
  );

  app.post(
    '/api/public/bots/:slug/visitors',
    {
      schema: {
        tags,
        security: [],
        summary: 'Become a visitor: a signed visitor token (per-IP limit: the bot’s perIpPerHour)',
        params: slugParams,
        response: { 200: visitorTokenResponse, ...commonErrors },
      },
    },
    async (request) => publicChat.issueVisitor(request.params.slug, publicCaller(request)),
  );

  app.get(
    '/api/public/bots/:slug/conversations',
    {
      schema: {
        tags,
        security,
        summary: "This visitor's conversations with the bot, newest first",
        params: slugParams,
        response: { 200: publicConversationList, ...commonErrors },
      },
    },
    async (request) => publicChat.list(await publicChat.visitor(request.params.slug, publicCaller(request))),
  );

  app.get(
    '/api/public/bots/:slug/conversations/:id',
    {
      schema: {
        tags,
        security,
        summary: "One of this visitor's conversations (another visitor's: 404)",
        params: slugIdParams,
        response: { 200: publicConversation, ...commonErrors },
      },
    },
    async (request) => {
      const context = await publicChat.visitor(request.params.slug, publicCaller(request));
      return publicChat.conversation(context, request.params.id);
    },
  );

  app.post(
    '/api/public/bots/:slug/chat',
    {
      schema: {
        tags,
        security,
        summary:
          'Send a message (only `message` and `conversationId`); the answer streams as text/event-stream',
        params: slugParams,
        body: publicChatBody,
        response: { 200: publicChatStream, ...turnErrors },
      },
    },
    async (request, reply) => {
      const caller = publicCaller(request);
      const run: RunTurn = (sink, options) =>
        publicChat.chat(request.params.slug, caller, request.body, sink, options);
      return streamTurn(request, reply, run);
    },
  );

  app.post(
    '/api/public/bots/:slug/messages/:id/stop',
    {
      schema: {
        tags,
        security,
        summary: "Stop one of this visitor's answers",
        params: slugIdParams,
        response: { 202: stopResult, ...commonErrors },
      },
    },
    async (request, reply) => {
      const context = await publicChat.visitor(request.params.slug, publicCaller(request));
      return reply.status(202).send({ stopped: await publicChat.stop(context, request.params.id) });
    },
  );

  app.put(
    '/api/public/bots/:slug/messages/:id/feedback',
    {
      schema: {
        tags,
        security,
        summary: 'Rate an answer: up, down, or null to take the rating back',
        params: slugIdParams,
        body: feedbackBody,
        response: { 204: z.null().describe('Saved'), ...commonErrors },
      },
    },
    async (request, reply) => {
      const context = await publicChat.visitor(request.params.slug, publicCaller(request));
      await publicChat.feedback(context, request.params.id, request.body.rating);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/public/gallery',
    {
      schema: {
        tags,
        security: [],
        summary: 'Published chatbots their owners list in the gallery',
        response: { 200: galleryResponse },
      },
    },
    async () => publicChat.gallery(),
  );

  app.get(
    '/api/public/avatars/:file',
    {
      schema: {
        tags,
        security: [],
        summary: 'An uploaded avatar image (immutable: its name is its content hash)',
        params: avatarParams,
        response: {
          200: z.string().describe('The image (image/png, image/jpeg or image/webp)'),
          404: errorResponse,
        },
      },
    },
    async (request, reply) => {
      const image = await publishing.settings.repository.avatarImage(request.params.file);
      if (!image) throw notFound('Avatar');
      return (
        reply
          .header('content-type', image.contentType)
          .header('cache-control', 'public, max-age=31536000, immutable')
          // Shown by the launcher on the host page (another origin).
          .header('cross-origin-resource-policy', 'cross-origin')
          .send(image.data as unknown as string)
      );
    },
  );
};
