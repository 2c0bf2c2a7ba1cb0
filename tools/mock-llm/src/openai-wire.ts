import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { directRouter } from './chat-answer-plan.js';
import type { ChatContext, ChatWire, StreamFrames } from './chat-wire.js';
import { jsonResponse } from './chat-wire.js';
import type { MockLlmOptions, MockModel } from './mock-llm-types.js';
import { missingKeyBody, openAiErrorBody } from './openai-errors.js';
import { toolCallDeltas, toolCallTokens, wholeToolCalls } from './tool-call-plan.js';

/**
 * The `openai` flavour: OpenAI's API called directly, from its documented wire (not recorded here):
 * a role-only first chunk, `logprobs`/`finish_reason: null` on every choice, `usage: null` on every
 * chunk when usage was asked for, then a usage chunk with `choices: []`; no proxy headers, no
 * fallbacks, no cost.
 */

const base62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function randomId(length: number): string {
  let id = '';
  for (const byte of randomBytes(length)) id += base62[byte % 62];
  return id;
}

function usageOf(promptTokens: number, completionTokens: number, reasoningTokens: number) {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: reasoningTokens,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

export function openaiWire(_options: MockLlmOptions, models: readonly MockModel[]): ChatWire {
  const byId = new Map(models.map((model) => [model.id, model]));
  const modelName = (alias: string) => byId.get(alias)?.providerModel ?? alias;
  const fingerprint = (alias: string) => byId.get(alias)?.systemFingerprint ?? 'fp_mock';
  const headersOf = ({ at }: ChatContext): Record<string, string> => ({
    'x-request-id': `req_${randomBytes(16).toString('hex')}`,
    'openai-version': '2020-10-01',
    'openai-processing-ms': String(Math.round(performance.now() - at)),
  });

  return {
    flavor: 'openai',
    router: directRouter,
    reasoning: true,
    upstreamOutlivesClient: false,
    answerHeaders: headersOf,
    error(context, { status, kind, fault }) {
      const headers = headersOf(context);
      if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
      if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
      return jsonResponse(status, openAiErrorBody(kind, modelName(context.plan.model)), headers);
    },
    whole(context) {
      const { plan, created } = context;
      const completionTokens =
        plan.deltas.length + plan.reasoning.length + (plan.toolCall ? toolCallTokens(plan.toolCall) : 0);
      return jsonResponse(
        200,
        {
          id: `chatcmpl-${randomId(29)}`,
          object: 'chat.completion',
          created,
          model: modelName(plan.model),
          choices: [
            {
              index: 0,
              message: plan.toolCall
                ? {
                    role: 'assistant',
                    content: null,
                    tool_calls: wholeToolCalls(plan.toolCall),
                    refusal: null,
                    annotations: [],
                  }
                : { role: 'assistant', content: plan.deltas.join(''), refusal: null, annotations: [] },
              logprobs: null,
              finish_reason: plan.finishReason,
            },
          ],
          usage: usageOf(plan.promptTokens, completionTokens, plan.reasoning.length),
          service_tier: 'default',
          system_fingerprint: fingerprint(plan.model),
        },
        headersOf(context),
      );
    },
    stream(context): StreamFrames {
      const { plan, created } = context;
      const streamOptions = plan.body.stream_options as { include_obfuscation?: unknown } | undefined;
      const obfuscate = streamOptions?.include_obfuscation !== false;
      const head = `{"id":"chatcmpl-${randomId(29)}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(modelName(plan.model))},"service_tier":"default","system_fingerprint":${JSON.stringify(fingerprint(plan.model))},"choices":`;
      const tail = () =>
        `${plan.includeUsage ? ',"usage":null' : ''}${obfuscate ? `,"obfuscation":"${randomId(1 + ((randomBytes(1)[0] as number) % 15))}"` : ''}}`;
      const chunk = (choice: string) => `data: ${head}[${choice}]${tail()}\n\n`;
      return {
        headers: { ...headersOf(context), 'content-type': 'text/event-stream; charset=utf-8' },
        open: () =>
          chunk(
            '{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}',
          ),
        reasoning: () => '',
        content: (text) =>
          chunk(
            `{"index":0,"delta":{"content":${JSON.stringify(text)}},"logprobs":null,"finish_reason":null}`,
          ),
        toolCall: (call) =>
          toolCallDeltas(call)
            .map((delta) =>
              chunk(`{"index":0,"delta":${JSON.stringify(delta)},"logprobs":null,"finish_reason":null}`),
            )
            .join(''),
        finish: (reason) => chunk(`{"index":0,"delta":{},"logprobs":null,"finish_reason":"${reason}"}`),
        usage: (completionTokens, reasoningTokens) => {
          if (!plan.includeUsage) return '';
          const usage = usageOf(plan.promptTokens, completionTokens + reasoningTokens, reasoningTokens);
          const obfuscation = obfuscate ? `,"obfuscation":"${randomId(8)}"` : '';
          return `data: ${head}[],"usage":${JSON.stringify(usage)}${obfuscation}}\n\n`;
        },
        done: () => 'data: [DONE]\n\n',
        malformed: () => `data: ${head}[{"index":0,"delta":{"content":"unterminated\n\n`,
        inbandError: (kind) => `data: ${JSON.stringify(openAiErrorBody(kind, modelName(plan.model)))}\n\n`,
      };
    },
    cut: () => ({ end: '' }),
    unauthorized: (presented) =>
      jsonResponse(401, presented === undefined ? missingKeyBody : openAiErrorBody('auth', '')),
    unknownModel: (model) => jsonResponse(404, openAiErrorBody('model_not_found', model)),
    invalidRequest: (status, message) =>
      jsonResponse(status, { error: { message, type: 'invalid_request_error', param: null, code: null } }),
    get(route) {
      if (route !== '/models') return null;
      return jsonResponse(200, {
        object: 'list',
        data: models.map((model) => ({
          id: model.id,
          object: 'model',
          created: 1_686_935_002,
          owned_by: 'system',
        })),
      });
    },
  };
}
