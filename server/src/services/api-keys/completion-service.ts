import { randomBytes } from 'node:crypto';
import type { ChatStreamEvent, LlmClient, LlmMessage, LlmToolCall } from '../../llm/client.js';
import { LlmError } from '../../llm/llm-errors.js';
import { AppError, notFound } from '../../errors.js';
import type { CatalogReader } from '../../models/catalog-model.js';
import type { CallAdmission, CallRequest } from '../chat/chat-types.js';
import type { ChatbotService } from '../chatbot-service.js';
import { reachedUpstream } from '../limits/call-charge.js';
import type { BudgetReservation } from '../limits/index.js';
import type { UsageService } from '../usage-service.js';
import type { ChatbotDirectory } from './chatbot-directory.js';
import type { ApiHistory } from './api-history.js';
import type { KeyBudget } from './key-budget.js';
import type {
  CompletionHead,
  CompletionRequest,
  CompletionResult,
  CompletionSink,
} from './completion-types.js';

export interface CompletionServiceDeps {
  llm: LlmClient;
  catalog: Pick<CatalogReader, 'get'>;
  chatbots: Pick<ChatbotService, 'getCachedRow'>;
  directory: ChatbotDirectory;
  /** Throws model_not_allowed (403) when the owner's plan does not allow the chatbot's model. */
  assertModelAllowed(userId: string, model: string): Promise<void>;
  /** The plan's gate (input size, max tokens, concurrency, budget) — the chat path's own. */
  admit(call: CallRequest): Promise<CallAdmission>;
  keyBudget: KeyBudget;
  usage: Pick<UsageService, 'record'>;
  history: ApiHistory;
  maxTurnMs: number;
}

const TEMPERATURE_MAX = 2;

/**
 * /v1/chat/completions without HTTP: the chatbot's system prompt, then the caller's messages, one
 * upstream call (stateless, as OpenAI's API is), inside the owner's plan limits and the key's caps;
 * the call is charged to the ledger with the key's id. Failures before any output are thrown
 * (AppError / LlmError: an ordinary HTTP error); after, they end the result.
 */
export class CompletionService {
  constructor(private readonly deps: CompletionServiceDeps) {}

  async complete(request: CompletionRequest, sink: CompletionSink): Promise<CompletionResult> {
    const { deps } = this;
    const { key } = request;
    const target = await deps.directory.resolve(key.userId, key.chatbotIds, request.model);
    const chatbot = await deps.chatbots.getCachedRow(key.userId, target.id).catch(() => {
      throw notFound('Chatbot');
    });
    await deps.assertModelAllowed(key.userId, chatbot.model);
    const model = deps.catalog.get(chatbot.model);
    if (request.tools && model?.supportsFunctionCalling !== true) {
      throw paramError(
        'tools',
        `This chatbot's model (${chatbot.model}) does not support function calling: send the request without tools.`,
      );
    }
    if (request.maxTokens !== undefined && request.maxTokens > chatbot.maxTokens) {
      throw paramError(
        'max_tokens',
        `max_tokens may be at most ${chatbot.maxTokens} for this chatbot (its own setting); send a lower value or none.`,
      );
    }
    if (
      request.temperature !== undefined &&
      (request.temperature < 0 || request.temperature > TEMPERATURE_MAX)
    ) {
      throw paramError('temperature', `temperature must be between 0 and ${TEMPERATURE_MAX}.`);
    }
    const messages: LlmMessage[] = chatbot.systemPrompt
      ? [{ role: 'system', content: chatbot.systemPrompt }, ...request.messages]
      : request.messages;
    const promptChars = messages.reduce((sum, message) => sum + message.content.length, 0);
    const admission = await deps.admit({
      userId: key.userId,
      model: chatbot.model,
      inputChars: request.messages.reduce((sum, message) => sum + message.content.length, 0),
      promptChars,
      maxTokens: request.maxTokens ?? chatbot.maxTokens,
    });
    let keyHold: BudgetReservation | null = null;
    try {
      keyHold = await deps.keyBudget.reserve(key, {
        promptChars,
        maxTokens: admission.maxTokens,
        price: model,
      });
      const head: CompletionHead = {
        id: `chatcmpl-${randomBytes(12).toString('base64url')}`,
        created: Math.floor(Date.now() / 1000),
        model: target.slug,
      };
      const controller = new AbortController();
      const onGone = () => controller.abort();
      request.signal.addEventListener('abort', onGone, { once: true });
      const deadline = setTimeout(() => controller.abort(), deps.maxTurnMs);
      try {
        const stream = deps.llm.chatStream(messages, {
          model: chatbot.model,
          temperature: request.temperature ?? chatbot.temperature,
          maxTokens: admission.maxTokens,
          ...(chatbot.reasoningEffort ? { reasoningEffort: chatbot.reasoningEffort } : {}),
          ...(request.tools ? { tools: request.tools } : {}),
          ...(request.toolChoice ? { toolChoice: request.toolChoice } : {}),
          signal: controller.signal,
          endUserId: key.userId,
          metadata: { chatbot_id: chatbot.id, api_key_id: key.id },
        });
        const run = await relay(stream, head, sink);
        const result = await this.settle(request, chatbot, messages, run, admission, keyHold);
        if (request.store) await deps.history.store(key.userId, chatbot, request.messages, result);
        return result;
      } finally {
        clearTimeout(deadline);
        request.signal.removeEventListener('abort', onGone);
      }
    } finally {
      await keyHold?.cancel();
      await admission.release();
    }
  }

  /** Charges the call (ledger row with the key's id, plan budget, key cap); throws a failure before output. */
  private async settle(
    request: CompletionRequest,
    chatbot: { id: string; model: string },
    messages: LlmMessage[],
    run: Relayed,
    admission: CallAdmission,
    keyHold: BudgetReservation,
  ): Promise<CompletionResult> {
    const { terminal, started, text } = run;
    const done = terminal?.type === 'done' ? terminal : null;
    const reached =
      done !== null ||
      started ||
      text.length > 0 ||
      (terminal?.type === 'error' ? reachedUpstream(terminal.error) : true);
    const completion = text + run.toolCalls.map((call) => call.name + call.arguments).join('');
    const charge = admission.charge({
      reachedUpstream: reached,
      reportedUsage: done?.usage ?? null,
      reportedCostUsd: done?.costUsd ?? null,
      prompt: messages,
      completion,
    });
    if (charge) {
      await this.deps.usage.record({
        userId: request.key.userId,
        chatbotId: chatbot.id,
        kind: 'chat',
        model: chatbot.model,
        promptTokens: charge.promptTokens,
        completionTokens: charge.completionTokens,
        costUsd: charge.costUsd,
        costEstimated: charge.costEstimated,
        tokensEstimated: charge.tokensEstimated,
        apiKeyId: request.key.id,
      });
      await admission.settle(charge);
      await keyHold.settle({
        tokens: charge.promptTokens + charge.completionTokens,
        costUsd: charge.costUsd,
      });
    }
    const failure = terminal?.type === 'error' ? terminal.error : done ? null : unexpectedEnd();
    if (failure && !run.output) throw request.signal.aborted ? aborted() : failure;
    return {
      head: run.head,
      text,
      toolCalls: run.toolCalls,
      finishReason: openAiFinish(done?.finishReason ?? null, run.toolCalls.length > 0),
      usage: { promptTokens: charge?.promptTokens ?? 0, completionTokens: charge?.completionTokens ?? 0 },
      error: failure ? { code: failure.code, message: failure.message } : null,
    };
  }
}

interface Relayed {
  head: CompletionHead;
  terminal: ChatStreamEvent | undefined;
  started: boolean;
  output: boolean;
  text: string;
  toolCalls: LlmToolCall[];
}

/** Hands each piece on as it comes (no copy kept but the text, for the charge and the history). */
async function relay(
  stream: AsyncIterable<ChatStreamEvent>,
  head: CompletionHead,
  sink: CompletionSink,
): Promise<Relayed> {
  const run: Relayed = { head, terminal: undefined, started: false, output: false, text: '', toolCalls: [] };
  const begin = () => {
    if (!run.output) sink.start(head);
    run.output = true;
  };
  try {
    for await (const event of stream) {
      if (event.type === 'start') run.started = true;
      else if (event.type === 'delta') {
        begin();
        run.text += event.text;
        sink.delta(event.text);
      } else if (event.type === 'tool_call') {
        begin();
        const call = (run.toolCalls[event.index] ??= { id: '', name: '', arguments: '' });
        if (event.id) call.id = event.id;
        if (event.name) call.name += event.name;
        call.arguments += event.arguments;
        sink.toolCall(event);
      } else {
        run.terminal = event;
        break;
      }
    }
  } catch (error) {
    run.terminal = {
      type: 'error',
      error: new LlmError('upstream', 'The model connection failed.', { cause: error }),
    };
  }
  // A whole answer with no text at all (an empty completion) still begins.
  if (run.terminal?.type === 'done') begin();
  return run;
}

function openAiFinish(reason: string | null, calledTools: boolean): string {
  if (reason === 'stop' || reason === 'length' || reason === 'tool_calls' || reason === 'content_filter')
    return reason;
  return calledTools ? 'tool_calls' : 'stop';
}

function paramError(param: string, message: string): AppError {
  return new AppError('bad_request', message, { details: { param } });
}

const unexpectedEnd = () => new LlmError('unexpected_end', 'The model stopped answering unexpectedly.');
const aborted = () => new AppError('aborted', 'The request was cancelled');
