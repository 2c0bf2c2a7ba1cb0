import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ConversationService } from '../../../services/conversation-service.js';
import { requireUser } from '../../plugins/auth.js';
import { commonErrors, errorResponse } from '../error.schemas.js';
import {
  activeBranchBody,
  conversation,
  conversationPage,
  conversationWithMessages,
  idParams,
} from '../chat/chat.schemas.js';
import { conversationSearchQuery, renameConversationBody } from './conversations.schemas.js';

const tags = ['conversations'];

/**
 * A chatbot's conversations: list and search, read, switch branch, rename, delete. Another user's
 * ids answer 404.
 */
export const conversationsRoutes: FastifyPluginAsyncZod<{ conversations: ConversationService }> = async (
  app,
  { conversations },
) => {
  app.get(
    '/api/chatbots/:id/conversations',
    {
      schema: {
        tags,
        summary:
          "List a chatbot's conversations, most recently active first; `q` searches titles and messages",
        params: idParams,
        querystring: conversationSearchQuery,
        response: { 200: conversationPage, ...commonErrors },
      },
    },
    async (request) =>
      conversations.list(
        requireUser(request).id,
        request.params.id,
        request.query.limit,
        request.query.cursor ?? null,
        request.query.q || null,
      ),
  );

  app.get(
    '/api/conversations/:id',
    {
      schema: {
        tags,
        summary: 'Read a conversation with its messages (oldest first)',
        params: idParams,
        response: { 200: conversationWithMessages, ...commonErrors },
      },
    },
    async (request) => conversations.get(requireUser(request).id, request.params.id),
  );

  app.put(
    '/api/conversations/:id/active',
    {
      schema: {
        tags,
        summary:
          'Show the branch through a message (a version): its newest leaf becomes active; answers the new read',
        params: idParams,
        body: activeBranchBody,
        response: { 200: conversationWithMessages, ...commonErrors, 409: errorResponse },
      },
    },
    async (request) =>
      conversations.switchBranch(requireUser(request).id, request.params.id, request.body.messageId),
  );

  app.patch(
    '/api/conversations/:id',
    {
      schema: {
        tags,
        summary: 'Rename a conversation (its place in the list stays)',
        params: idParams,
        body: renameConversationBody,
        response: { 200: conversation, ...commonErrors },
      },
    },
    async (request) => conversations.rename(requireUser(request).id, request.params.id, request.body.title),
  );

  app.delete(
    '/api/conversations/:id',
    {
      schema: {
        tags,
        summary: 'Delete a conversation and its messages (usage records are kept)',
        params: idParams,
        response: { 204: z.null().describe('Deleted'), ...commonErrors },
      },
    },
    async (request, reply) => {
      await conversations.delete(requireUser(request).id, request.params.id);
      return reply.status(204).send(null);
    },
  );
};
