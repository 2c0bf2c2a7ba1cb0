import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { LlmError, type LlmErrorCode } from './llm-errors.js';
import { retryAfterMsFrom } from './retry-policy.js';

/** What the caller knew when the failure surfaced. */
export interface FailureContext {
  model: string;
  /** Stopped from our side (silence timer or caller's signal). */
  reason: 'timeout' | 'aborted' | null;
  /** Response headers had arrived (a later connection failure is a cut stream). */
  responseStarted: boolean;
}

/** User-facing wording per code: fixed text, so nothing from the upstream (keys, bodies) leaks. */
const messages: Record<Exclude<LlmErrorCode, 'model_not_found'>, string> = {
  auth: 'The AI service rejected the server’s credentials. An operator needs to check the API key.',
  rate_limited: 'The AI model is receiving too many requests right now. Please try again shortly.',
  timeout: 'The AI model took too long to respond. Please try again.',
  unavailable: 'The AI service is unavailable right now. Please try again later.',
  bad_request: 'The AI service rejected the request.',
  context_length:
    'The conversation is too long for this model. Start a new conversation or shorten your message.',
  content_filter: 'The request was blocked by the AI provider’s content filter.',
  aborted: 'The request was cancelled.',
  upstream: 'The AI service returned an error. Please try again.',
  unexpected_end: 'The AI model’s answer ended unexpectedly. Please try again.',
};

export function llmError(
  code: LlmErrorCode,
  model: string,
  extra: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
): LlmError {
  const message =
    code === 'model_not_found' ? `The model "${model}" is not available on the AI service.` : messages[code];
  return new LlmError(code, message, extra);
}

const contextLengthPattern =
  /context_length_exceeded|contextwindowexceeded|maximum context length|context window|context length/i;
const contentFilterPattern =
  /content_filter|contentpolicyviolation|content management policy|content policy/i;
const modelNotFoundPattern = /model_not_found|invalid model name|model .{0,100}(does not exist|not found)/i;
/**
 * LiteLLM's in-band error for a provider stream that broke after output (httpx transport, no fallback
 * left): `litellm.ServiceUnavailableError: litellm.MidStreamFallbackError: … peer closed connection
 * without sending complete message body (incomplete chunked read)`, code "503". The answer was cut.
 */
const midStreamCutPattern = /MidStreamFallbackError|incomplete chunked read|peer closed connection/i;

/** LiteLLM puts the status in `error.code` as a string ("429"), notably for in-band stream errors. */
function statusOf(error: APIError): number | undefined {
  if (error.status !== undefined) return error.status;
  const code = Number(error.code);
  return Number.isInteger(code) && code >= 400 && code < 600 ? code : undefined;
}

function codeForApiError(status: number | undefined, error: APIError): LlmErrorCode {
  const text = `${error.code ?? ''} ${error.type ?? ''} ${error.message}`;
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate_limited';
  if (status === 404 || modelNotFoundPattern.test(text)) return 'model_not_found';
  if (contextLengthPattern.test(text)) return 'context_length';
  if (contentFilterPattern.test(text)) return 'content_filter';
  if (status === 408 || status === 504) return 'timeout';
  if (status === 502 || status === 503) return 'unavailable';
  if (status !== undefined && status >= 400 && status < 500) return 'bad_request';
  return 'upstream';
}

/** Turns anything the SDK or the network threw into an `LlmError` with a stable code. */
export function toLlmError(error: unknown, context: FailureContext): LlmError {
  if (error instanceof LlmError) return error;
  const { model } = context;
  if (context.reason === 'aborted' || (error instanceof APIUserAbortError && context.reason === null)) {
    return llmError('aborted', model, { cause: error });
  }
  if (context.reason === 'timeout' || error instanceof APIConnectionTimeoutError) {
    return llmError('timeout', model, { cause: error });
  }
  if (error instanceof APIConnectionError) return llmError('unavailable', model, { cause: error });
  if (error instanceof APIError) {
    if (context.responseStarted && midStreamCutPattern.test(error.message)) {
      return llmError('unexpected_end', model, { cause: error });
    }
    const status = statusOf(error);
    return llmError(codeForApiError(status, error), model, {
      status,
      retryAfterMs: retryAfterMsFrom(error.headers),
      cause: error,
    });
  }
  // The SDK rethrows JSON.parse failures of a chunk as they are.
  if (error instanceof SyntaxError) return llmError('upstream', model, { cause: error });
  // undici reports a body cut mid-way as TypeError("terminated").
  return llmError(context.responseStarted ? 'unexpected_end' : 'unavailable', model, { cause: error });
}
