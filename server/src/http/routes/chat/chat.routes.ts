import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ChatService } from '../../../services/chat/chat-service.js';
import { requireUser } from '../../plugins/auth.js';
import { LLM_RATE_LIMITED } from '../../plugins/rate-limit.js';
import { commonErrors, errorResponse } from '../error.schemas.js';
import { chatRequestBody, chatTurnResult, editMessageBody, idParams, stopResult } from './chat.schemas.js';
import { jsonTurn, streamTurn, wantsJson, type RunTurn } from './turn-response.js';

const tags = ['chat'];
const turnErrors = {
  ...commonErrors,
  409: errorResponse,
  502: errorResponse,
  503: errorResponse,
  504: errorResponse,
};

/**
 * Chat turns (streamed or JSON), edits and regenerations (new versions: decision 0009) and Stop.
 * Ownership is enforced by ChatService (another user's ids: 404).
 */
export const chatRoutes: FastifyPluginAsyncZod<{ chat: ChatService }> = async (app, { chat }) => {
  app.post(
    '/api/chatbots/:id/chat',
    {
      config: LLM_RATE_LIMITED,
      schema: {
        tags,
        summary:
          'Send a message; the answer streams as text/event-stream (or JSON with Accept: application/json)',
        params: idParams,
        body: chatRequestBody,
        response: { 200: chatTurnResult, ...turnErrors },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const run: RunTurn = (sink, options) =>
        chat.chat(user.id, request.params.id, request.body, sink, options);
      return wantsJson(request) ? jsonTurn(reply, run) : streamTurn(request, reply, run);
    },
  );

  app.post(
    '/api/conversations/:id/regenerate',
    {
      config: LLM_RATE_LIMITED,
      schema: {
        tags,
        summary:
          "Answer the active branch's last message again: a new version of its answer, the old one kept (streamed like chat)",
        params: idParams,
        response: { 200: chatTurnResult, ...turnErrors },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const run: RunTurn = (sink, options) => chat.regenerate(user.id, request.params.id, sink, options);
      return wantsJson(request) ? jsonTurn(reply, run) : streamTurn(request, reply, run);
    },
  );

  app.post(
    '/api/messages/:id/edit',
    {
      config: LLM_RATE_LIMITED,
      schema: {
        tags,
        summary:
          'Send a new version of a sent message (a sibling; the later turns stay on the old branch), answered like chat',
        params: idParams,
        body: editMessageBody,
        response: { 200: chatTurnResult, ...turnErrors },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const run: RunTurn = (sink, options) =>
        chat.edit(user.id, request.params.id, request.body, sink, options);
      return wantsJson(request) ? jsonTurn(reply, run) : streamTurn(request, reply, run);
    },
  );

  app.post(
    '/api/messages/:id/regenerate',
    {
      config: LLM_RATE_LIMITED,
      schema: {
        tags,
        summary: 'Answer the question of this answer again: a new version beside it (streamed like chat)',
        params: idParams,
        response: { 200: chatTurnResult, ...turnErrors },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const run: RunTurn = (sink, options) =>
        chat.regenerateMessage(user.id, request.params.id, sink, options);
      return wantsJson(request) ? jsonTurn(reply, run) : streamTurn(request, reply, run);
    },
  );

  app.post(
    '/api/messages/:id/stop',
    {
      schema: {
        tags,
        summary: 'Stop an answer that is streaming (stopped: false when it is not streaming on this server)',
        params: idParams,
        response: { 202: stopResult, ...commonErrors },
      },
    },
    async (request, reply) => {
      const stopped = await chat.stopMessage(requireUser(request).id, request.params.id);
      return reply.status(202).send({ stopped });
    },
  );
};
