import { randomUUID } from 'node:crypto';
import type { ChatAnswerPlan } from './chat-answer-plan.js';
import type { ChatContext, ChatWire, StreamFrames, WireResponse } from './chat-wire.js';
import { toolCallTokens, wholeToolCalls } from './tool-call-plan.js';
import { deploymentOf, routerFallbacks } from './litellm-deployments.js';
import {
  litellmMidStreamError,
  litellmNoDatabaseError,
  litellmNoKeyError,
  litellmProviderError,
  litellmUnknownModelError,
  litellmWrongKeyError,
  type LitellmErrorScene,
} from './litellm-errors.js';
import { litellmFallbacksRouter } from './litellm-fallbacks.js';
import { litellmFrames } from './litellm-frames.js';
import {
  MinuteUsage,
  litellmErrorHeaders,
  litellmStreamHeaders,
  litellmVersion,
  litellmWholeHeaders,
} from './litellm-headers.js';
import { litellmModelGroupInfo, litellmModelInfo, litellmModelList } from './litellm-model-info.js';
import { litellmWholeUsage, usageStyleOf } from './litellm-usage.js';
import { statusByKind } from './error-kinds.js';
import type { MockErrorKind, MockLlmOptions, MockModel } from './mock-llm-types.js';
import { pythonJsonDumps } from './python-format.js';

/** The system message LiteLLM adds for the fallback after a cut (an assistant `prefix` has the text). */
const continuationPrompt =
  'You are a helpful assistant. You are given a message and you need to respond to it. You are also given a generated content. You need to respond to the message in continuation of the generated content. Do not repeat the same content. Your response should be in continuation of this text: ';

function json(status: number, body: unknown, headers: Record<string, string> = {}): WireResponse {
  const text = JSON.stringify(body);
  return {
    status,
    headers: {
      ...headers,
      'content-length': String(Buffer.byteLength(text)),
      'content-type': 'application/json',
    },
    body: text,
  };
}

/** The `litellm` flavour: a LiteLLM 1.81.13 proxy in front of one deployment per alias. */
export function litellmWire(options: MockLlmOptions, models: readonly MockModel[]): ChatWire {
  const byId = new Map(models.map((model) => [model.id, model]));
  const settings = options.litellm ?? {};
  const version = settings.version ?? litellmVersion;
  const transport = settings.transport ?? 'aiohttp';
  const fallbacks = routerFallbacks(models);
  const minuteUsage = new MinuteUsage();
  const deployment = (alias: string) => deploymentOf(alias, byId);
  const pricingOf = (alias: string) => {
    const model = byId.get(alias);
    return { input: model?.inputCostPerToken ?? 0, output: model?.outputCostPerToken ?? 0 };
  };

  const scene = (plan: ChatAnswerPlan): LitellmErrorScene => {
    const failing = deployment(plan.served);
    const retries = plan.body.num_retries;
    return {
      group: plan.model,
      provider: failing.provider,
      fallbacks,
      groupFallbacks: byId.get(plan.model)?.fallbacks ?? [],
      fallbacksDisabled: plan.body.disable_fallbacks === true || plan.fault.noFallback === true,
      numRetries: typeof retries === 'number' ? retries : (settings.numRetries ?? 2),
      timeoutSeconds: failing.timeoutSeconds,
    };
  };
  const providerError = (plan: ChatAnswerPlan, kind: MockErrorKind, status: number) =>
    litellmProviderError(kind, status, scene(plan));
  const unknownModel = (model: string, callId: string) => {
    const body = JSON.stringify(litellmUnknownModelError(model));
    return { status: 400, headers: litellmErrorHeaders(callId, null, Buffer.byteLength(body)), body };
  };

  const framesFor = (
    context: ChatContext,
    alias: string,
    continuation: { sent: number } | null,
  ): StreamFrames => {
    const { plan } = context;
    const served = deployment(alias);
    let promptTokens = plan.promptTokens;
    if (continuation) {
      const soFar = plan.deltas.slice(0, continuation.sent).join('');
      promptTokens += Math.ceil((continuationPrompt.length + soFar.length) / 4) + 8;
    }
    return litellmFrames({
      headers: litellmStreamHeaders(context.callId, served, version),
      id: `chatcmpl-${randomUUID()}`,
      created: context.created,
      model: plan.model,
      systemFingerprint: served.systemFingerprint,
      includeUsage: plan.includeUsage,
      usageStyle: continuation ? 'continuation' : usageStyleOf(served.provider),
      promptTokens,
      pricing: options.streamUsageCost === false ? null : pricingOf(alias),
      errorBody: (kind) => providerError(plan, kind, statusByKind[kind]),
    });
  };

  return {
    flavor: 'litellm',
    router: litellmFallbacksRouter(byId, transport),
    reasoning: true,
    upstreamOutlivesClient: settings.closeUpstreamOnDisconnect !== true,
    answerHeaders: ({ callId, plan }) => ({
      'x-litellm-call-id': callId,
      'x-litellm-model-id': deployment(plan.served).id,
      'x-litellm-version': version,
    }),
    error({ plan, callId }, { status, kind, fault }) {
      // `error=auth` is the proxy refusing the key; a bare `status=401` is the provider's 401.
      if (fault.error === 'auth') return json(401, litellmWrongKeyError('sk-mock'));
      if (fault.error === 'model_not_found' && status === 400) return unknownModel(plan.model, callId);
      const body = providerError(plan, kind, status);
      const text = JSON.stringify(body);
      const headers = litellmErrorHeaders(callId, deployment(plan.served), Buffer.byteLength(text));
      return { status: Number(body.error.code), headers, body: text };
    },
    whole(context) {
      const { plan } = context;
      const served = deployment(plan.served);
      const content = plan.toolCall ? null : plan.deltas.join('');
      const message: Record<string, unknown> = { content, role: 'assistant' };
      if (plan.toolCall) message.tool_calls = wholeToolCalls(plan.toolCall);
      if (plan.reasoning.length > 0) {
        const reasoning = plan.reasoning.join('');
        message.reasoning_content = reasoning;
        message.provider_specific_fields = { reasoning_content: reasoning };
      }
      const counts = {
        prompt: plan.promptTokens,
        completion:
          plan.deltas.length + plan.reasoning.length + (plan.toolCall ? toolCallTokens(plan.toolCall) : 0),
        reasoning: plan.reasoning.length,
      };
      const body: Record<string, unknown> = {
        id: `chatcmpl-${randomUUID()}`,
        created: context.created,
        // After a fallback LiteLLM keeps the provider's model name; otherwise it writes the alias.
        model: plan.fellBack ? served.providerModel : plan.model,
        object: 'chat.completion',
      };
      if (served.systemFingerprint !== null) body.system_fingerprint = served.systemFingerprint;
      body.choices = [{ finish_reason: plan.finishReason, index: 0, message }];
      body.usage = litellmWholeUsage(usageStyleOf(served.provider), counts);
      const text = JSON.stringify(body);
      const headers = litellmWholeHeaders({
        callId: context.callId,
        deployment: served,
        version,
        costUsd: Number(plan.costUsd.toPrecision(12)),
        bodyBytes: Buffer.byteLength(text),
        at: context.at,
        fellBack: plan.fellBack,
        used: minuteUsage.add(plan.served, counts.prompt + counts.completion),
      });
      return { status: 200, headers, body: text };
    },
    stream: (context) => framesFor(context, context.plan.served, null),
    cut(context, frames, sent) {
      const { plan } = context;
      const cutTransport = plan.fault.transport ?? transport;
      if (cutTransport === 'aiohttp') {
        // aiohttp reads the cut as the end: a made-up `stop`, usage so far (Anthropic: message_start's 1).
        const anthropic = deployment(plan.served).provider === 'anthropic';
        const usage = anthropic ? frames.usage(1, 0) : frames.usage(sent, plan.reasoning.length);
        return { end: frames.finish('stop') + usage + frames.done() };
      }
      if (plan.midStreamFallback !== null) {
        return {
          continueWith: framesFor(context, plan.midStreamFallback, { sent }),
          ttftMs: plan.fault.ttftMs ?? options.ttftMs ?? 0,
        };
      }
      return { end: `data: ${pythonJsonDumps(litellmMidStreamError(scene(plan)))}\n\n` };
    },
    unauthorized(presented) {
      if (presented === undefined) return json(401, litellmNoKeyError);
      return settings.noDatabase
        ? json(400, litellmNoDatabaseError)
        : json(401, litellmWrongKeyError(presented));
    },
    unknownModel: (model) => unknownModel(model, randomUUID()),
    invalidRequest: (status, message) =>
      json(status, { error: { message, type: 'invalid_request_error', param: null, code: String(status) } }),
    get(route) {
      if (route === '/models') return json(200, litellmModelList(models));
      if (route === '/model/info') return json(200, litellmModelInfo(models));
      if (route === '/model_group/info') return json(200, litellmModelGroupInfo(models));
      return null;
    },
  };
}
