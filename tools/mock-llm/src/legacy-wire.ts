import { directRouter } from './chat-answer-plan.js';
import type { ChatContext, ChatWire, StreamFrames } from './chat-wire.js';
import { jsonResponse } from './chat-wire.js';
import { errorBody } from './legacy-error-bodies.js';
import { statusByKind } from './error-kinds.js';
import { modelGroupInfo, modelList } from './legacy-model-lists.js';
import type { MockLlmOptions, MockModel } from './mock-llm-types.js';
import { ChunkFrames, doneFrame, type MockUsage } from './legacy-frames.js';

/**
 * The `legacy` flavour: the mock's wire from before the LiteLLM recordings, kept byte for byte until
 * the server's tests move to `litellm`. OpenAI framing (role chunk, `finish_reason: null`) with a
 * LiteLLM usage chunk and LiteLLM headers on every answer.
 */
export function legacyWire(options: MockLlmOptions, models: readonly MockModel[]): ChatWire {
  const headersOf = ({ plan, callId }: ChatContext): Record<string, string> => ({
    'x-request-id': callId,
    'x-litellm-call-id': callId,
    'x-litellm-model-group': plan.fault.fallbackTo ?? plan.model,
    'x-litellm-attempted-fallbacks': plan.fault.fallbackTo ? '1' : '0',
  });
  const usageOf = ({ plan }: ChatContext, withCost: boolean): MockUsage => {
    const completionTokens = plan.deltas.length;
    const usage: MockUsage = {
      prompt_tokens: plan.promptTokens,
      completion_tokens: completionTokens,
      total_tokens: plan.promptTokens + completionTokens,
    };
    if (withCost) usage.cost = plan.costUsd;
    return usage;
  };

  return {
    flavor: 'legacy',
    router: directRouter,
    reasoning: false,
    upstreamOutlivesClient: false,
    answerHeaders: headersOf,
    error(context, { status, kind, fault }) {
      const headers = headersOf(context);
      if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
      if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
      return jsonResponse(status, errorBody(kind, status, context.plan.model), headers);
    },
    whole(context) {
      const { plan, callId, created } = context;
      const body = {
        id: `chatcmpl-${callId}`,
        object: 'chat.completion',
        created,
        model: plan.model,
        system_fingerprint: null,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: plan.deltas.join('') },
            finish_reason: plan.finishReason,
            logprobs: null,
          },
        ],
        usage: usageOf(context, false),
      };
      return jsonResponse(200, body, {
        ...headersOf(context),
        'x-litellm-response-cost': String(plan.costUsd),
      });
    },
    stream(context): StreamFrames {
      const { plan, callId, created } = context;
      const frames = new ChunkFrames(`chatcmpl-${callId}`, created, plan.model);
      return {
        headers: {
          ...headersOf(context),
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
        },
        open: () => frames.role(),
        reasoning: () => '',
        content: (text) => frames.content(text),
        finish: (reason) => frames.finish(reason),
        usage: () =>
          plan.includeUsage ? frames.usage(usageOf(context, options.streamUsageCost !== false)) : '',
        done: () => doneFrame,
        malformed: () => frames.malformed(),
        inbandError: (kind) => ChunkFrames.inbandError(errorBody(kind, statusByKind[kind], plan.model)),
      };
    },
    cut: () => ({ end: '' }),
    unauthorized: () => jsonResponse(401, errorBody('auth', 401, '')),
    unknownModel: (model) => jsonResponse(400, errorBody('model_not_found', 400, model)),
    invalidRequest: (status, message) =>
      status === 413
        ? jsonResponse(413, errorBody('bad_request', 413, ''))
        : jsonResponse(status, {
            error: { message, type: 'invalid_request_error', param: null, code: String(status) },
          }),
    get(route) {
      if (route === '/models') return jsonResponse(200, modelList(models));
      if (route === '/model_group/info') return jsonResponse(200, modelGroupInfo(models));
      return null;
    },
  };
}
