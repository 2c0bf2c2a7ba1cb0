import type { ChatAnswerPlan, ChatRouter } from './chat-answer-plan.js';
import type { MockFlavor } from './flavor.js';
import type { MockErrorKind, MockFault } from './mock-llm-types.js';
import type { MockToolCall } from './tool-call-plan.js';

/** A whole HTTP answer: status, headers in order, body text. */
export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One chat request as a flavour sees it. */
export interface ChatContext {
  plan: ChatAnswerPlan;
  callId: string;
  created: number;
  /** `performance.now()` when the request arrived. */
  at: number;
}

export interface ChatFailure {
  status: number;
  kind: MockErrorKind;
  fault: MockFault;
}

/** The serialised frames of one streamed answer, in the flavour's shape. */
export interface StreamFrames {
  readonly headers: Record<string, string>;
  /** What comes before the first delta (a role-only chunk, or nothing). */
  open(): string;
  reasoning(text: string): string;
  content(text: string): string;
  /** The chunks of a function call (OpenAI's `delta.tool_calls` pieces). */
  toolCall(call: MockToolCall): string;
  finish(reason: 'stop' | 'length' | 'tool_calls'): string;
  /** The usage chunk for these counts, or '' when the client did not ask for one. */
  usage(completionTokens: number, reasoningTokens: number): string;
  done(): string;
  /** Half a chunk, as from a proxy that broke mid-write. */
  malformed(): string;
  /** An error event in the stream (after output). */
  inbandError(kind: MockErrorKind): string;
}

/** How a stream whose provider connection was cut reaches the client. */
export type CutOutcome = { end: string } | { continueWith: StreamFrames; ttftMs: number };

/** What one flavour says on the wire. The responder decides timing; the wire decides bytes. */
export interface ChatWire {
  readonly flavor: MockFlavor;
  /** Who answers a request (LiteLLM's fallbacks). */
  readonly router: ChatRouter;
  /** The flavour sends or counts reasoning tokens. */
  readonly reasoning: boolean;
  /** The client going away does not stop generation (LiteLLM 1.81.13 reads the provider to the end). */
  readonly upstreamOutlivesClient: boolean;
  /** Headers of an answer whose body is broken or never comes (malformed or stalled whole answers). */
  answerHeaders(context: ChatContext): Record<string, string>;
  /** An error answered instead of any output. */
  error(context: ChatContext, failure: ChatFailure): WireResponse;
  /** The whole (non-streaming) answer. */
  whole(context: ChatContext): WireResponse;
  stream(context: ChatContext): StreamFrames;
  /** The provider stream was cut after `sent` content deltas. */
  cut(context: ChatContext, frames: StreamFrames, sent: number): CutOutcome;
  /** No `Authorization`, or a wrong key. */
  unauthorized(presented: string | undefined): WireResponse;
  /** A `model` the server does not serve. */
  unknownModel(model: string): WireResponse;
  invalidRequest(status: number, message: string): WireResponse;
  /** GET routes other than health (model lists); null for 404. */
  get(route: string): WireResponse | null;
}

/** A JSON answer with its length set, after the given headers. */
export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): WireResponse {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    status,
    headers: {
      ...headers,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
    },
    body: text,
  };
}
