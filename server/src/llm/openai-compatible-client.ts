import OpenAI, { APIError } from 'openai';
import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
} from 'openai/resources/chat/completions';
import { setTimeout as sleep } from 'node:timers/promises';
import { AttemptControl } from './attempt-control.js';
import type {
  ChatStreamEvent,
  GenerateResult,
  LlmCallOptions,
  LlmClient,
  LlmMessage,
  LlmResponseInfo,
  LlmUsage,
} from './client.js';
import type { LlmError } from './llm-errors.js';
import {
  readHeaderCost,
  readResponseInfo,
  upstreamFinishReason,
  upstreamKind,
  upstreamModelName,
  upstreamRequestId,
  usageCost,
} from './response-info.js';
import { retryDelayMs, type RetryPolicy } from './retry-policy.js';
import { llmError, toLlmError } from './upstream-error-mapping.js';
import { ChatChunkDecoder } from './chat-chunks.js';
import { toolCallEvents, wholeToolCalls, wireMessages, wireToolChoice, wireTools } from './tool-wire.js';
import { modelText, reportedUsage } from './model-output.js';
import {
  readText,
  createHttpTransport,
  type HeaderReader,
  type StreamTransport,
} from './stream-transport.js';

export const openAiDefaultBaseUrl = 'https://api.openai.com/v1';

export interface OpenAICompatibleClientOptions {
  /** OpenAI-compatible base URL (LiteLLM, Ollama's `/v1`, vLLM's `/v1`); OpenAI's when absent. */
  baseURL?: string;
  apiKey: string;
  /** Used when a call names no model. */
  defaultModel: string;
  /** Bounds the wait for the first byte and every silent gap inside a stream. */
  timeoutMs: number;
  /** Retries before the first token (429, 5xx, connection errors). */
  maxRetries: number;
  /** Transport of `chatStream`; a keep-alive pool over node:http(s) by default. */
  transport?: StreamTransport;
  /** How long the default transport keeps an idle upstream socket (`LLM_KEEPALIVE_MS`). */
  keepAliveMs?: number;
  /** First backoff step in ms (default 500). */
  retryBaseDelayMs?: number;
  /** Longest backoff or `Retry-After` wait honoured, in ms (default 8000). */
  maxRetryDelayMs?: number;
  /** Send `metadata` upstream (LiteLLM logs it; OpenAI itself only accepts it with `store`). Default true. */
  sendMetadata?: boolean;
  /**
   * Whether a stream must carry the usage chunk the client asks for (`stream_options.include_usage`,
   * always sent). `required`: a stream that ends without it did not end as the upstream meant (a cut
   * hidden behind `[DONE]`) and is `unexpected_end`. `auto` (default): required when the response is
   * LiteLLM's or OpenAI's (both send it when asked, see `upstreamKind`), optional for any other
   * OpenAI-compatible server. `optional`: never required (`LLM_STREAM_USAGE=optional`).
   */
  streamUsage?: StreamUsagePolicy;
}

export type StreamUsagePolicy = 'auto' | 'required' | 'optional';

/**
 * At most this many completion-id switches in one stream are read as continuations (LiteLLM's
 * mid-stream fallback switches once per fallback); an upstream that gives every chunk its own id is
 * not switching completions.
 */
const MAX_COMPLETION_SWITCHES = 3;

type Opened<T> = { control: AttemptControl; data: T; headers: HeaderReader } | { error: LlmError };

/**
 * The one implementation of `LlmClient`: the OpenAI chat-completions wire. `generate` goes through
 * the official SDK; `chatStream`, the token path, sends the same request over a lean node:http
 * transport and decodes the SSE body itself (the SDK's fetch and web streams cost ≈ 1 ms per turn and
 * most of the relay's CPU), raising the SDK's own error classes so both share one error mapping.
 */
export class OpenAICompatibleClient implements LlmClient {
  private readonly sdk: OpenAI;
  private readonly retryPolicy: RetryPolicy;
  private readonly chatUrl: URL;
  private readonly streamHeaders: Record<string, string>;
  private readonly transport: StreamTransport;

  constructor(private readonly options: OpenAICompatibleClientOptions) {
    this.transport = options.transport ?? createHttpTransport(options.keepAliveMs);
    this.sdk = new OpenAI({
      apiKey: options.apiKey,
      // Explicit values so the SDK reads nothing from process.env (config is the only reader).
      baseURL: options.baseURL ?? openAiDefaultBaseUrl,
      organization: null,
      project: null,
      webhookSecret: null,
      logLevel: 'off',
      // Retries and timeouts are ours (see AttemptControl); the SDK's timer is only a backstop.
      maxRetries: 0,
      timeout: options.timeoutMs + 1000,
    });
    this.chatUrl = new URL(
      `${(options.baseURL ?? openAiDefaultBaseUrl).replace(/\/+$/, '')}/chat/completions`,
    );
    this.streamHeaders = {
      authorization: `Bearer ${options.apiKey}`,
      'content-type': 'application/json',
      accept: 'text/event-stream',
    };
    this.retryPolicy = {
      maxRetries: Math.max(0, options.maxRetries),
      baseDelayMs: options.retryBaseDelayMs ?? 500,
      maxDelayMs: options.maxRetryDelayMs ?? 8000,
    };
  }

  async generate(messages: LlmMessage[], options: LlmCallOptions = {}): Promise<GenerateResult> {
    const startedAt = performance.now();
    const model = options.model ?? this.options.defaultModel;
    const body: ChatCompletionCreateParamsNonStreaming = {
      ...this.params(messages, options, model),
      stream: false,
    };
    const opened = await this.open(model, options.signal, async (signal) => {
      const { data, response } = await this.sdk.chat.completions.create(body, { signal }).withResponse();
      return { data, headers: response.headers };
    });
    if ('error' in opened) throw opened.error;
    const { control, data, headers } = opened;
    control.dispose();
    // A 200 that is not a chat completion (LiteLLM's `{"error": …}`, an event stream, HTML from a
    // misrouted proxy) is an upstream failure, not a TypeError; its text (possibly echoing our key)
    // is not kept.
    if (!Array.isArray((data as { choices?: unknown } | null)?.choices)) throw llmError('upstream', model);
    const choice = data.choices[0];
    const info = readResponseInfo(headers);
    return {
      ...info,
      model: upstreamModelName(data.model),
      requestId: info.requestId ?? upstreamRequestId(data.id),
      text: modelText(choice?.message.content ?? ''),
      ...(choice?.message.tool_calls ? { toolCalls: wholeToolCalls(choice.message.tool_calls) } : {}),
      finishReason: upstreamFinishReason(choice?.finish_reason),
      usage: reportedUsage(data.usage),
      costUsd: readHeaderCost(headers) ?? usageCost(data.usage),
      timeToFirstTokenMs: Math.round(performance.now() - startedAt),
    };
  }

  async *chatStream(messages: LlmMessage[], options: LlmCallOptions = {}): AsyncGenerator<ChatStreamEvent> {
    const startedAt = performance.now();
    const model = options.model ?? this.options.defaultModel;
    const body: ChatCompletionCreateParamsStreaming = {
      ...this.params(messages, options, model),
      stream: true,
      stream_options: { include_usage: true },
    };
    const opened = await this.open(model, options.signal, (signal) => this.postStream(body, signal));
    if ('error' in opened) {
      yield { type: 'error', error: opened.error };
      return;
    }
    const { control, data: stream, headers } = opened;
    const info: LlmResponseInfo = readResponseInfo(headers);
    const usageRequired = this.usageRequired(headers);
    let completed = false;
    try {
      yield { type: 'start', ...info };
      control.waiting();
      let finishReason: string | null = null;
      let usage: LlmUsage | null = null;
      let usageSeen = false;
      let costUsd: number | null = null;
      let timeToFirstTokenMs: number | null = null;
      let failure: LlmError | null = null;
      const completions = new CompletionIds();
      try {
        for await (const piece of stream.body) {
          control.received();
          for (const chunk of stream.decoder.decode(piece)) {
            if (info.model === null) {
              info.model = upstreamModelName(chunk.model);
              info.requestId ??= upstreamRequestId(chunk.id);
            }
            completions.see(chunk.id, timeToFirstTokenMs !== null);
            if (chunk.usage) {
              usageSeen = true;
              // Unbelievable counts (negative, 1e300…) are dropped: the turn counts its tokens itself.
              usage = reportedUsage(chunk.usage);
              costUsd = usageCost(chunk.usage) ?? costUsd;
            }
            // LiteLLM's usage chunk carries `choices: [{index: 0, delta: {}}]`: no text, no finish.
            const choice = chunk.choices?.[0];
            if (choice) {
              if (choice.finish_reason) finishReason = upstreamFinishReason(choice.finish_reason) ?? 'other';
              const text = choice.delta?.content && modelText(choice.delta.content);
              if (text) {
                timeToFirstTokenMs ??= Math.round(performance.now() - startedAt);
                yield { type: 'delta', text };
              }
              // Only when tools were offered (the chatbot API): function calls stream in pieces.
              if (choice.delta?.tool_calls) {
                timeToFirstTokenMs ??= Math.round(performance.now() - startedAt);
                yield* toolCallEvents(choice.delta.tool_calls);
              }
            }
          }
          if (stream.decoder.failure !== null) throw stream.decoder.failure;
          control.waiting();
        }
      } catch (error) {
        failure = toLlmError(error, { model, reason: control.reason, responseStarted: true });
      }
      // An abort from our side ends the body with an error or quietly: the reason says which.
      if (failure === null && control.reason !== null) {
        failure = llmError(control.reason, model);
      }
      // No finish reason, or no usage chunk from an upstream that sends one when asked: the stream
      // did not end as the model meant, whatever `[DONE]` says (a cut hidden by a proxy).
      if (failure === null && (finishReason === null || (usageRequired && !usageSeen)))
        failure = llmError('unexpected_end', model);
      if (completions.switched) info.completionSwitched = true;
      completed = true;
      // Consumers stop at the terminal event without calling next() again, so the `finally` below
      // may never run: release the silence timer (and the stream it holds) before yielding it.
      control.dispose();
      if (failure !== null) {
        yield { type: 'error', error: failure };
        return;
      }
      yield {
        type: 'done',
        finishReason,
        usage,
        // Mid-stream the cost header cannot know the answer yet; the final usage chunk can.
        costUsd: costUsd ?? readHeaderCost(headers),
        timeToFirstTokenMs,
        info,
      };
    } finally {
      control.dispose();
      // The consumer stopped early (break / return): close the upstream socket now.
      if (!completed) control.abort();
    }
  }

  private usageRequired(headers: HeaderReader): boolean {
    const policy = this.options.streamUsage ?? 'auto';
    if (policy !== 'auto') return policy === 'required';
    return upstreamKind(headers) !== 'other';
  }

  private params(messages: LlmMessage[], options: LlmCallOptions, model: string) {
    const params: Omit<ChatCompletionCreateParamsNonStreaming, 'stream'> = {
      model,
      messages: wireMessages(messages),
    };
    if (options.temperature !== undefined) params.temperature = options.temperature;
    if (options.maxTokens !== undefined) params.max_tokens = options.maxTokens;
    if (options.reasoningEffort !== undefined) params.reasoning_effort = options.reasoningEffort;
    if (options.endUserId !== undefined) params.user = options.endUserId;
    if (options.tools !== undefined) params.tools = wireTools(options.tools);
    if (options.toolChoice !== undefined) params.tool_choice = wireToolChoice(options.toolChoice);
    if (options.metadata !== undefined && this.options.sendMetadata !== false)
      params.metadata = options.metadata;
    return params;
  }

  /**
   * Posts a streaming request; resolves with the chunks once the upstream answered 2xx. Other statuses
   * throw what the SDK would (`APIError.generate`), so retries and error mapping see one shape.
   */
  private async postStream(
    body: ChatCompletionCreateParamsStreaming,
    signal: AbortSignal,
  ): Promise<{ data: { body: AsyncIterable<string>; decoder: ChatChunkDecoder }; headers: HeaderReader }> {
    const response = await this.transport({
      url: this.chatUrl,
      headers: this.streamHeaders,
      body: JSON.stringify(body),
      signal,
    });
    if (response.status < 200 || response.status >= 300) {
      const text = await readText(response.body);
      const json = safeJson(text);
      throw APIError.generate(
        response.status,
        json ?? undefined,
        json === null ? text : undefined,
        response.headers as Headers,
      );
    }
    return {
      data: { body: response.body, decoder: new ChatChunkDecoder(response.headers) },
      headers: response.headers,
    };
  }

  /** Sends the request, retrying before any output; returns the open response or the final error. */
  private async open<T>(
    model: string,
    signal: AbortSignal | undefined,
    send: (signal: AbortSignal) => Promise<{ data: T; headers: HeaderReader }>,
  ): Promise<Opened<T>> {
    for (let attempt = 0; ; attempt++) {
      const control = new AttemptControl(this.options.timeoutMs, signal);
      try {
        const { data, headers } = await send(control.signal);
        return { control, data, headers };
      } catch (cause) {
        control.dispose();
        const error = toLlmError(cause, { model, reason: control.reason, responseStarted: false });
        const delay = control.reason === null ? retryDelayMs(error, attempt, this.retryPolicy) : null;
        if (delay === null) return { error };
        try {
          await sleep(delay, undefined, { signal });
        } catch {
          return { error: llmError('aborted', model) };
        }
      }
    }
  }
}

function safeJson(text: string): object | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : null;
  } catch {
    return null;
  }
}

/**
 * The completion ids of one stream's chunks. A switch to a new id once output had begun means a
 * second completion continued the answer; a few switches are continuations, many are an upstream
 * that numbers its chunks.
 */
class CompletionIds {
  private current: string | null = null;
  private chunks = 0;
  private switches = 0;

  see(id: unknown, afterOutput: boolean): void {
    this.chunks++;
    if (typeof id !== 'string' || id === '') return;
    if (this.current !== null && id !== this.current && afterOutput) this.switches++;
    this.current = id;
  }

  get switched(): boolean {
    return this.switches > 0 && this.switches <= MAX_COMPLETION_SWITCHES && this.switches * 2 < this.chunks;
  }
}
