import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError } from '../../../errors.js';
import type { ApiServices } from '../../../services/api-keys/create-api-services.js';
import type { CompletionSink } from '../../../services/api-keys/completion-types.js';
import { LLM_RATE_LIMITED } from '../../plugins/rate-limit.js';
import { keyAuthHook } from './openai-auth.js';
import { sendOpenAiError } from './openai-errors.js';
import { OpenAiStream } from './openai-stream.js';
import { completionBody, paramError, toLlmMessages } from './openai-wire.js';
import {
  chatCompletion,
  chatCompletionBody,
  modelList,
  openAiError,
  type ChatCompletionBody,
} from './openai.schemas.js';

export interface OpenAiRoutesOptions {
  api: ApiServices;
}

const TAGS = ['openai-compatible'];
const SECURITY = [{ apiKey: [] }];
const errors = { 400: openAiError, 401: openAiError, 403: openAiError, 404: openAiError, 429: openAiError };

/**
 * OpenAI's Chat Completions wire for every chatbot: `GET /v1/models`, `POST /v1/chat/completions`.
 * Registered with the prefix `/v1`; bearer API keys only (openai-auth.ts), errors in OpenAI's shape.
 */
export async function openAiRoutes(parent: FastifyInstance, options: OpenAiRoutesOptions) {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const { keys, directory, completions } = options.api;
  app.decorateRequest('apiKey', null);
  app.setErrorHandler((error, _request, reply) => sendOpenAiError(reply, error));
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: {
        message: `Unknown endpoint: ${request.method} ${request.url.split('?')[0]}`,
        type: 'invalid_request_error',
        param: null,
        code: 'unknown_url',
      },
    }),
  );
  app.addHook('onRequest', keyAuthHook(keys));

  // The key's own requests per minute, counted like the plan's (Redis when there is one).
  const keyLimiter = app.createRateLimit({
    timeWindow: 60_000,
    keyGenerator: (request) => `llm:apikey:${request.apiKey!.id}`,
    max: (request) => request.apiKey!.requestsPerMinute ?? 1_000_000_000,
  });
  const checkKeyRate = async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.apiKey?.requestsPerMinute == null) return;
    const result = await keyLimiter(request);
    if (result.isAllowed || !result.isExceeded) return;
    reply.header('x-ratelimit-limit', result.max);
    reply.header('x-ratelimit-remaining', 0);
    throw new AppError(
      'rate_limited',
      `Too many requests: this API key allows ${result.max} per minute. Try again in ${result.ttlInSeconds} s.`,
      { retryAfterSeconds: Math.max(1, result.ttlInSeconds) },
    );
  };

  app.get(
    '/models',
    {
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: 'The chatbots this key may call (id = the `model` to send)',
        response: { 200: modelList, 401: openAiError },
      },
    },
    async (request) => {
      const key = request.apiKey!;
      const bots = await directory.list(key.userId, key.chatbotIds);
      return {
        object: 'list' as const,
        data: bots.map((bot) => ({
          id: bot.slug,
          object: 'model' as const,
          created: Math.floor(bot.createdAt.getTime() / 1000),
          owned_by: 'chatbot-builder',
          name: bot.name,
        })),
      };
    },
  );

  app.post(
    '/chat/completions',
    {
      config: LLM_RATE_LIMITED,
      onRequest: checkKeyRate,
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: "Runs a chatbot: its system prompt, then the caller's messages (OpenAI's wire)",
        description:
          'With `stream: true` the answer is `text/event-stream` of `chat.completion.chunk` objects ending with `data: [DONE]`. Header `X-Chatbot-Store: true` keeps the exchange as a conversation of the chatbot.',
        body: chatCompletionBody,
        response: { 200: chatCompletion, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const input = readRequest(request, body);
      const gone = new AbortController();
      // Whichever way the client leaves (stream or not), the upstream call is aborted.
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) gone.abort();
      });
      if (body.stream) {
        const stream = new OpenAiStream(reply, body.stream_options?.include_usage === true);
        try {
          const result = await completions.complete({ ...input, signal: gone.signal }, stream);
          stream.finish(result);
        } catch (error) {
          if (stream.opened) stream.fail(error);
          else throw error;
        }
        return reply;
      }
      const result = await completions.complete({ ...input, signal: gone.signal }, collector);
      if (result.error) throw new AppError('upstream', 'The model failed while answering.');
      return completionBody(result);
    },
  );
}

/** A whole answer needs no pieces: the result holds the text and calls. */
const collector: CompletionSink = { start: () => {}, delta: () => {}, toolCall: () => {} };

function readRequest(request: FastifyRequest, body: ChatCompletionBody) {
  if (body.n !== null && body.n !== undefined && body.n !== 1) {
    throw paramError('n', 'Only n = 1 is supported: a chatbot gives one answer per request.');
  }
  const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  const toolChoice = body.tool_choice;
  return {
    key: request.apiKey!,
    model: body.model,
    messages: toLlmMessages(body.messages),
    maxTokens,
    temperature: body.temperature ?? undefined,
    tools: body.tools?.map((tool) => ({
      name: tool.function.name,
      ...(tool.function.description !== undefined ? { description: tool.function.description } : {}),
      ...(tool.function.parameters !== undefined ? { parameters: tool.function.parameters } : {}),
      ...(typeof tool.function.strict === 'boolean' ? { strict: tool.function.strict } : {}),
    })),
    toolChoice:
      toolChoice === undefined
        ? undefined
        : typeof toolChoice === 'string'
          ? toolChoice
          : { name: toolChoice.function.name },
    store: request.headers['x-chatbot-store'] === 'true',
  };
}
