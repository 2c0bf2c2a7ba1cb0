import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ChatService } from '../../../services/chat/chat-service.js';
import { requireUser } from '../../plugins/auth.js';
import { LLM_RATE_LIMITED } from '../../plugins/rate-limit.js';
import { commonErrors, errorResponse } from '../error.schemas.js';
import { chatRequestBody, chatTurnResult, idParams, stopResult } from './chat.schemas.js';
import { jsonTurn, streamTurn, wantsJson, type RunTurn } from './turn-response.js';

const tags = ['chat'];
const turnErrors = {
  ...commonErrors,
  409: errorResponse,
  502: errorResponse,
  503: errorResponse,
  504: errorResponse,
};

/** Chat turns (streamed or JSON), regenerate and Stop. Ownership is enforced by ChatService. */
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
        summary: 'Answer the last message again, replacing the last answer (streamed like chat)',
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
