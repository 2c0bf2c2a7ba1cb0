import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AVATAR_MAX_BYTES, AVATAR_TYPES } from '@app/common';
import type { Publishing } from '../../../services/publishing/create-publishing.js';
import { analyticsCsv } from '../../../services/publishing/inbox-service.js';
import { requireUser } from '../../plugins/auth.js';
import { commonErrors, errorResponse } from '../error.schemas.js';
import {
  analyticsQuery,
  analyticsResponse,
  avatarResponse,
  idParams,
  inboxConversation,
  inboxPage,
  inboxParams,
  inboxQuery,
  publicationSettingsBody,
  publicationSettingsResponse,
} from './publishing.schemas.js';

const tags = ['publishing'];

/**
 * The owner's side of publishing (issue 22): settings, avatar, inbox, analytics. Every route is
 * the chatbot owner's only (another user's chatbot: 404, like every chatbot route).
 */
export const publishingRoutes: FastifyPluginAsyncZod<{ publishing: Publishing }> = async (
  app,
  { publishing },
) => {
  const { settings, inbox } = publishing;
  // The avatar upload is the raw image; only in this plugin, and at most 256 KB.
  app.addContentTypeParser(
    [...AVATAR_TYPES],
    { parseAs: 'buffer', bodyLimit: AVATAR_MAX_BYTES },
    (_request, body, done) => done(null, body),
  );

  app.get(
    '/api/chatbots/:id/publication',
    {
      schema: {
        tags,
        summary: 'How the chatbot is published (defaults from the plan when never saved)',
        params: idParams,
        response: { 200: publicationSettingsResponse, ...commonErrors },
      },
    },
    async (request) => settings.get(requireUser(request).id, request.params.id),
  );

  app.put(
    '/api/chatbots/:id/publication',
    {
      schema: {
        tags,
        summary: 'Save the publishing settings (403 publishing_not_in_plan, 409 slug_taken)',
        params: idParams,
        body: publicationSettingsBody,
        response: { 200: publicationSettingsResponse, ...commonErrors, 409: errorResponse },
      },
    },
    async (request) => settings.put(requireUser(request).id, request.params.id, request.body),
  );

  app.put(
    '/api/chatbots/:id/publication/avatar',
    {
      schema: {
        tags,
        summary:
          'Upload the avatar: the raw image as the body (image/png, image/jpeg or image/webp, ≤ 256 KB)',
        params: idParams,
        response: { 200: avatarResponse, ...commonErrors, 409: errorResponse, 413: errorResponse },
      },
    },
    async (request) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      return settings.putAvatar(
        requireUser(request).id,
        request.params.id,
        request.headers['content-type'],
        body,
      );
    },
  );

  app.delete(
    '/api/chatbots/:id/publication/avatar',
    {
      schema: {
        tags,
        summary: 'Remove the avatar',
        params: idParams,
        response: { 204: z.null().describe('Removed'), ...commonErrors },
      },
    },
    async (request, reply) => {
      await settings.deleteAvatar(requireUser(request).id, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/chatbots/:id/inbox',
    {
      schema: {
        tags,
        summary: "Visitors' conversations with the chatbot, newest first (q: search; before: the next page)",
        params: idParams,
        querystring: inboxQuery,
        response: { 200: inboxPage, ...commonErrors },
      },
    },
    async (request) =>
      inbox.inbox(
        requireUser(request).id,
        request.params.id,
        request.query.q || null,
        request.query.before ?? null,
      ),
  );

  app.get(
    '/api/chatbots/:id/inbox/:conversationId',
    {
      schema: {
        tags,
        summary: "One visitor conversation, read-only, each answer with the visitor's feedback",
        params: inboxParams,
        response: { 200: inboxConversation, ...commonErrors },
      },
    },
    async (request) =>
      inbox.conversation(requireUser(request).id, request.params.id, request.params.conversationId),
  );

  app.get(
    '/api/chatbots/:id/analytics',
    {
      schema: {
        tags,
        summary: 'Per day (UTC): visitor conversations, messages, tokens, cost; the top first questions',
        params: idParams,
        querystring: analyticsQuery,
        response: { 200: analyticsResponse, ...commonErrors },
      },
    },
    async (request) => inbox.analytics(requireUser(request).id, request.params.id, request.query.days),
  );

  app.get(
    '/api/chatbots/:id/analytics.csv',
    {
      schema: {
        tags,
        summary: 'The same days as CSV (date, conversations, messages, tokens, cost_usd)',
        params: idParams,
        querystring: analyticsQuery,
        response: { 200: z.string().describe('text/csv'), ...commonErrors },
      },
    },
    async (request, reply) => {
      const analytics = await inbox.analytics(requireUser(request).id, request.params.id, request.query.days);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="chatbot-${request.params.id}-analytics.csv"`)
        .send(analyticsCsv(analytics));
    },
  );
};
