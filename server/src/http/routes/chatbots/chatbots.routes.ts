import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ChatbotService } from '../../../services/chatbot-service.js';
import { requireUser } from '../../plugins/auth.js';
import { commonErrors } from '../error.schemas.js';
import { chatbotParams, chatbotResponse, createChatbotBody, updateChatbotBody } from './chatbots.schemas.js';

const tags = ['chatbots'];
const settingsRules =
  'Checked against the model (GET /api/llm/models): a `maxTokens` above its `maxTokensAllowed` or a ' +
  '`reasoningEffort` it does not list answers 400 `validation_failed` with `details.field` naming the ' +
  'setting (`{field: "maxTokens", max}`, `{field: "reasoningEffort", allowed}`) and a message in words.';

/** Chatbot CRUD. Ownership is enforced by the service (another user's id answers 404). */
export const chatbotsRoutes: FastifyPluginAsyncZod<{ chatbots: ChatbotService }> = async (
  app,
  { chatbots },
) => {
  app.get(
    '/api/chatbots',
    {
      schema: {
        tags,
        summary: 'List my chatbots',
        response: { 200: z.array(chatbotResponse), ...commonErrors },
      },
    },
    async (request) => chatbots.list(requireUser(request).id),
  );

  app.post(
    '/api/chatbots',
    {
      schema: {
        tags,
        summary: 'Create a chatbot',
        description: settingsRules,
        body: createChatbotBody,
        response: { 201: chatbotResponse, ...commonErrors },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await chatbots.create(requireUser(request).id, request.body)),
  );

  app.get(
    '/api/chatbots/:id',
    {
      schema: {
        tags,
        summary: 'Read a chatbot',
        params: chatbotParams,
        response: { 200: chatbotResponse, ...commonErrors },
      },
    },
    async (request) => chatbots.get(requireUser(request).id, request.params.id),
  );

  app.patch(
    '/api/chatbots/:id',
    {
      schema: {
        tags,
        summary: 'Change a chatbot',
        description: `${settingsRules} A new \`model\` must take the \`maxTokens\` the chatbot keeps.`,
        params: chatbotParams,
        body: updateChatbotBody,
        response: { 200: chatbotResponse, ...commonErrors },
      },
    },
    async (request) => chatbots.update(requireUser(request).id, request.params.id, request.body),
  );

  app.delete(
    '/api/chatbots/:id',
    {
      schema: {
        tags,
        summary: 'Delete a chatbot',
        params: chatbotParams,
        response: { 204: z.null().describe('Deleted'), ...commonErrors },
      },
    },
    async (request, reply) => {
      await chatbots.delete(requireUser(request).id, request.params.id);
      return reply.status(204).send(null);
    },
  );
};
