import type { LlmMessage, LlmTool, LlmToolCall, LlmToolChoice } from '../../llm/client.js';
import type { VerifiedKey } from './api-key-service.js';

/** One /v1/chat/completions call, already read off the wire (http/routes/openai). */
export interface CompletionRequest {
  key: VerifiedKey;
  /** The chatbot: its slug or its id. */
  model: string;
  /** The caller's messages (the chatbot's system prompt goes first). */
  messages: LlmMessage[];
  /** The caller's `max_completion_tokens` / `max_tokens`: may only lower the chatbot's. */
  maxTokens?: number | undefined;
  temperature?: number | undefined;
  tools?: LlmTool[] | undefined;
  toolChoice?: LlmToolChoice | undefined;
  /** X-Chatbot-Store: true — keep the exchange as a conversation of the chatbot. */
  store: boolean;
  /** The client went away: the upstream call is aborted. */
  signal: AbortSignal;
}

/** Where the answer goes as it comes (the SSE writer, or a collector for a whole answer). */
export interface CompletionSink {
  /** Output begins: the answer is committed (HTTP 200). Called once, before any piece. */
  start(head: CompletionHead): void;
  delta(text: string): void;
  toolCall(piece: { index: number; id?: string; name?: string; arguments: string }): void;
}

export interface CompletionHead {
  /** `chatcmpl-…`, the same on every chunk. */
  id: string;
  /** Unix seconds. */
  created: number;
  /** The slug the chatbot answers as. */
  model: string;
}

export interface CompletionResult {
  head: CompletionHead;
  text: string;
  toolCalls: LlmToolCall[];
  /** OpenAI's words: stop | length | tool_calls | content_filter. */
  finishReason: string;
  /** What was charged (the upstream's report, or counted here). */
  usage: { promptTokens: number; completionTokens: number };
  /** Set when the answer failed after it had begun (the stream carries it in-band). */
  error: { code: string; message: string } | null;
}
