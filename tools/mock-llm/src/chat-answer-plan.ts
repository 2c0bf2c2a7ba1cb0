import { demoAnswer, splitIntoDeltas, type DemoMessage } from './demo-answer.js';
import { errorKindForStatus, statusByKind } from './error-kinds.js';
import { parseFaultMarkers } from './fault-marker.js';
import type { MockErrorKind, MockFault, MockLlmOptions, MockModel } from './mock-llm-types.js';
import { planToolCall, type MockToolCall } from './tool-call-plan.js';

/** Which deployment answers a request, decided by the flavour's router (LiteLLM's fallbacks). */
export interface ChatRoute {
  /** The alias whose deployment sends the first token (the requested one unless it fell back). */
  served: string;
  fellBack: boolean;
  /** What the serving deployment does. */
  fault: MockFault;
  /** The alias that continues the stream when the served one is cut (LiteLLM's httpx transport), or null. */
  midStreamFallback: string | null;
}

export type ChatRouter = (requested: string, fault: MockFault, body: Record<string, unknown>) => ChatRoute;

/** No fallbacks: the requested model answers with the request's fault. */
export const directRouter: ChatRouter = (requested, fault) => ({
  served: requested,
  fellBack: false,
  fault,
  midStreamFallback: null,
});

/** Everything needed to answer one chat request, decided before the first byte. */
export interface ChatAnswerPlan extends ChatRoute {
  /** The requested alias. */
  model: string;
  body: Record<string, unknown>;
  stream: boolean;
  includeUsage: boolean;
  deltas: string[];
  /** Reasoning deltas sent before the answer. */
  reasoning: string[];
  finishReason: 'stop' | 'length' | 'tool_calls';
  /** The function the answer calls instead of text (requests with `tools`), or null. */
  toolCall: MockToolCall | null;
  promptTokens: number;
  costUsd: number;
}

export interface PlanInputs {
  options: MockLlmOptions;
  queuedFault: MockFault | undefined;
  models: ReadonlyMap<string, MockModel>;
  router: ChatRouter;
  /** The flavour sends reasoning (or counts it); otherwise reasoning settings are ignored. */
  reasoning: boolean;
}

export class ChatRequestError extends Error {}

/** An error the deployment answers instead of any output, or null. */
export function failureOf(fault: MockFault): { status: number; kind: MockErrorKind } | null {
  if (fault.status === undefined && (fault.error === undefined || fault.inbandErrorAfter !== undefined))
    return null;
  const status = fault.status ?? statusByKind[fault.error as MockErrorKind];
  return { status, kind: fault.error ?? errorKindForStatus(status) };
}

const thinking = ['Let', ' me', ' think', ' about', ' it', '.'];

const maxDeltas = 100_000;

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: { type?: unknown; text?: unknown }) =>
        part && part.type === 'text' && typeof part.text === 'string' ? part.text : '',
      )
      .join('');
  }
  return '';
}

function resize(deltas: string[], count: number): string[] {
  const target = Math.min(Math.max(0, Math.floor(count)), maxDeltas);
  if (deltas.length === 0 || target === deltas.length) return deltas;
  const resized = new Array<string>(target);
  for (let index = 0; index < target; index++) resized[index] = deltas[index % deltas.length] as string;
  return resized;
}

/**
 * Reads the request body and the faults (queued one first, then in-message markers, then the model's
 * own) into a plan, routed by the flavour.
 */
export function planChatAnswer(body: unknown, inputs: PlanInputs): ChatAnswerPlan {
  const { options, queuedFault, models } = inputs;
  if (!body || typeof body !== 'object') throw new ChatRequestError('Request body must be a JSON object.');
  const request = body as Record<string, unknown>;
  if (typeof request.model !== 'string' || request.model.length === 0) {
    throw new ChatRequestError('`model` is required.');
  }
  if (!Array.isArray(request.messages) || request.messages.length === 0) {
    throw new ChatRequestError('`messages` must be a non-empty array.');
  }
  const messages: DemoMessage[] = request.messages.map((message: { role?: unknown; content?: unknown }) => ({
    role: typeof message?.role === 'string' ? message.role : 'user',
    content: textOf(message?.content),
  }));
  const lastUser = [...messages].reverse().find((message) => message.role === 'user');
  const markers = parseFaultMarkers(lastUser?.content ?? '');
  const route = inputs.router(
    request.model,
    { ...models.get(request.model)?.fault, ...markers.fault, ...queuedFault },
    request,
  );
  const { fault } = route;

  const tool = planToolCall(request, messages);
  let deltas = tool.call
    ? []
    : splitIntoDeltas(tool.answer ?? options.answer ?? demoAnswer(messages, markers.text));
  const stopAt = Math.max(
    fault.stallAfter ?? 0,
    fault.cutAfter ?? 0,
    fault.resetAfter ?? 0,
    fault.malformedAfter ?? 0,
    fault.inbandErrorAfter ?? 0,
  );
  const wanted = fault.deltas ?? options.deltas;
  if (fault.oversized !== undefined) deltas = ['x'.repeat(Math.min(fault.oversized, 64 * 1024 * 1024))];
  else if (wanted !== undefined) deltas = resize(deltas, wanted);
  if (deltas.length < stopAt) deltas = resize(deltas, stopAt);

  let finishReason: ChatAnswerPlan['finishReason'] = tool.call ? 'tool_calls' : 'stop';
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (typeof maxTokens === 'number' && maxTokens > 0 && deltas.length > maxTokens && !fault.endless) {
    deltas = deltas.slice(0, maxTokens);
    finishReason = 'length';
  }

  const served = models.get(route.served);
  const reasoningCount = inputs.reasoning
    ? Math.min(fault.reasoning ?? served?.reasoningTokens ?? 0, maxDeltas)
    : 0;
  const reasoning = Array.from(
    { length: reasoningCount },
    (_, index) => thinking[index % thinking.length] as string,
  );

  const promptChars = messages.reduce((total, message) => total + message.content.length, 0);
  const promptTokens = Math.max(1, Math.ceil(promptChars / 4));
  const costUsd =
    promptTokens * (served?.inputCostPerToken ?? 0) +
    (deltas.length + reasoning.length) * (served?.outputCostPerToken ?? 0);
  const streamOptions = request.stream_options as { include_usage?: unknown } | undefined;

  return {
    ...route,
    model: request.model,
    body: request,
    stream: request.stream === true,
    includeUsage: streamOptions?.include_usage === true && !fault.noUsage,
    deltas,
    reasoning,
    finishReason,
    toolCall: tool.call,
    promptTokens,
    costUsd,
  };
}
