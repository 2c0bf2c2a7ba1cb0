import { providerExceptionName } from './litellm-deployments.js';
import type { MockErrorKind } from './mock-llm-types.js';
import { pythonFloat, pythonRepr } from './python-format.js';

/**
 * LiteLLM 1.81.13's error bodies, as recorded: `{"error": {message, type, param, code}}` with `code`
 * the HTTP status as a string, `type` often null, and a long message that names the exception chain,
 * repeats the router's fallback list and ends with the retry count.
 */
export interface LitellmErrorBody {
  error: { message: string; type: string | null; param: string | null; code: string };
}

/** What the message needs to know about the router and the failing deployment. */
export interface LitellmErrorScene {
  /** The requested alias (LiteLLM's model group). */
  group: string;
  /** Provider of the deployment that failed. */
  provider: string;
  /** `router_settings.fallbacks`, in config order. */
  fallbacks: Array<Record<string, string[]>>;
  /** The alias's own fallbacks (none: "Available Model Group Fallbacks=None"). */
  groupFallbacks: string[];
  fallbacksDisabled: boolean;
  numRetries: number;
  timeoutSeconds: number;
}

interface Translated {
  status: number;
  type: string | null;
  /** The exception chain up to the provider's text. */
  head: string;
  retried: boolean;
}

const openAiTexts: Partial<Record<MockErrorKind, string>> = {
  server: 'The server had an error while processing your request. Sorry about that!',
  unavailable: 'The server is overloaded or not ready yet.',
  rate_limit: 'Rate limit reached for requests',
  bad_request: 'Invalid request.',
  auth: 'Incorrect API key provided.',
  model_not_found: 'The model does not exist or you do not have access to it.',
  content_filter: 'Your request was rejected as a result of our safety system.',
  context_length:
    "This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens. Please reduce the length of the messages.",
};

/** The provider's own error text as LiteLLM quotes it (Anthropic's whole JSON body). */
function providerText(kind: MockErrorKind, status: number, provider: string): string {
  if (provider === 'anthropic') {
    const type =
      status === 529
        ? 'overloaded_error'
        : status === 429
          ? 'rate_limit_error'
          : status >= 500
            ? 'api_error'
            : status === 401
              ? 'authentication_error'
              : 'invalid_request_error';
    const message = status === 529 ? 'Overloaded' : (openAiTexts[kind] ?? 'Error');
    return JSON.stringify({ type: 'error', error: { type, message } });
  }
  return openAiTexts[kind] ?? 'Error';
}

function translate(kind: MockErrorKind, status: number, scene: LitellmErrorScene): Translated {
  const name = providerExceptionName(scene.provider);
  const text = providerText(kind, status, scene.provider);
  // Anthropic's errors skip the repeated class name: `litellm.InternalServerError: AnthropicError - …`.
  const chain = (cls: string, repeat: boolean) =>
    scene.provider !== 'anthropic' && repeat
      ? `litellm.${cls}: ${cls}: ${name} - ${text}`
      : `litellm.${cls}: ${name} - ${text}`;
  if (kind === 'timeout' || status === 408) {
    const t = pythonFloat(scene.timeoutSeconds);
    return {
      status: 408,
      type: null,
      head: `litellm.Timeout: APITimeoutError - Request timed out. Error_str: Request timed out. - timeout value=${t}, time taken=${t} seconds\n\nDeployment Info: request_timeout: None\ntimeout: ${t}`,
      retried: true,
    };
  }
  if (kind === 'context_length') {
    const fallbacks = scene.fallbacks.length > 0 ? pythonRepr(scene.fallbacks) : 'None';
    return {
      status: 400,
      type: null,
      head: `litellm.ContextWindowExceededError: litellm.BadRequestError: ContextWindowExceededError: ${name} - ${text}\nmodel=${scene.group}. context_window_fallbacks=None. fallbacks=${fallbacks}.\n\nSet 'context_window_fallback' - https://docs.litellm.ai/docs/routing#fallbacks`,
      retried: false,
    };
  }
  if (kind === 'content_filter')
    return {
      status: 400,
      type: null,
      head: `litellm.ContentPolicyViolationError: ${chain('BadRequestError', false)}`,
      retried: false,
    };
  if (status === 429)
    return { status, type: 'throttling_error', head: chain('RateLimitError', true), retried: true };
  if (status === 503)
    return { status, type: null, head: chain('ServiceUnavailableError', true), retried: true };
  // 529 (Anthropic overloaded) reaches the client as 500, as recorded.
  if (status === 500 || status === 529)
    return { status: 500, type: null, head: chain('InternalServerError', true), retried: true };
  if (status > 500) return { status, type: null, head: chain('APIError', true), retried: true };
  if (status === 404) return { status, type: null, head: chain('NotFoundError', false), retried: false };
  if (status === 403)
    return { status, type: null, head: chain('PermissionDeniedError', false), retried: false };
  // A provider 401 is recorded as `litellm.BadRequestError` with type invalid_request_error.
  return { status, type: 'invalid_request_error', head: chain('BadRequestError', false), retried: false };
}

/** `<head>No fallback model group found …` as the router appends it, or the head alone. */
function withFallbackText(head: string, scene: LitellmErrorScene, ending: string): string {
  if (scene.fallbacksDisabled || scene.fallbacks.length === 0) return ending ? `${head} ${ending}` : head;
  const list = pythonRepr(scene.fallbacks);
  const available = scene.groupFallbacks.length > 0 ? pythonRepr(scene.groupFallbacks) : 'None';
  const noFallback = `${head}No fallback model group found for original model_group=${scene.group}. Fallbacks=${list}`;
  return `${noFallback}. Received Model Group=${scene.group}\nAvailable Model Group Fallbacks=${available}\nError doing the fallback: ${noFallback}${ending ? ` ${ending}` : ''}`;
}

/** The error of a deployment that failed with `status` (the provider's) on every attempt. */
export function litellmProviderError(
  kind: MockErrorKind,
  status: number,
  scene: LitellmErrorScene,
): LitellmErrorBody {
  const translated = translate(kind, status, scene);
  const n = scene.numRetries;
  const ending =
    n === 0
      ? ''
      : translated.retried
        ? `LiteLLM Retried: ${n} times, LiteLLM Max Retries: ${n}`
        : `LiteLLM Retried: ${n} times`;
  return {
    error: {
      message: withFallbackText(translated.head, scene, ending),
      type: translated.type,
      param: null,
      code: String(translated.status),
    },
  };
}

/** The in-band error of a provider stream cut mid-answer, on the httpx transport without a fallback. */
export function litellmMidStreamError(scene: LitellmErrorScene): LitellmErrorBody {
  const cause = `${providerExceptionName(scene.provider)} - peer closed connection without sending complete message body (incomplete chunked read)`;
  const head = `litellm.ServiceUnavailableError: litellm.MidStreamFallbackError: litellm.APIConnectionError: APIConnectionError: ${cause}`;
  const original = `Original exception: APIConnectionError: litellm.APIConnectionError: APIConnectionError: ${cause}`;
  return {
    error: { message: withFallbackText(head, scene, original), type: null, param: null, code: '503' },
  };
}

/** 400 for a `model` that no alias has (LiteLLM renders a Python dict into the message). */
export function litellmUnknownModelError(model: string): LitellmErrorBody {
  return {
    error: {
      message: `{'error': '/chat/completions: Invalid model name passed in model=${model}. Call \`/v1/models\` to view available models for your key.'}`,
      type: 'None',
      param: 'None',
      code: '400',
    },
  };
}

export const litellmNoKeyError: LitellmErrorBody = {
  error: {
    message: 'Authentication Error, No api key passed in.',
    type: 'auth_error',
    param: 'None',
    code: '401',
  },
};

/** A wrong key with a database (not recorded: the recorded proxy had none). */
export function litellmWrongKeyError(presented: string): LitellmErrorBody {
  const tail = presented.slice(-4);
  return {
    error: {
      message: `Authentication Error, Invalid proxy server token passed. Received API Key = sk-...${tail}, Key Hash (Token) =${'0'.repeat(64)}. Unable to find token in cache or \`LiteLLM_VerificationTokenTable\``,
      type: 'auth_error',
      param: 'None',
      code: '401',
    },
  };
}

/** What the recorded proxy, which ran without a database, answered to a wrong key. */
export const litellmNoDatabaseError = {
  error: { message: 'No connected db.', type: 'no_db_connection', param: null, code: '400' },
};
