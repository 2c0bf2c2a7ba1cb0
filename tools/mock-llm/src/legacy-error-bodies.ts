import type { MockErrorKind } from './mock-llm-types.js';

/**
 * The `legacy` flavour's error bodies: OpenAI-shaped, worded like a LiteLLM proxy (its `code` is often
 * the status as a string, its message names the exception class). `litellm-errors.ts` has the recorded ones.
 */
export interface MockErrorBody {
  error: { message: string; type: string | null; param: string | null; code: string | null };
}

export function errorBody(kind: MockErrorKind, status: number, model: string): MockErrorBody {
  const code = String(status);
  switch (kind) {
    case 'auth':
      return {
        error: {
          message: 'Authentication Error, Invalid proxy server token passed. Received API Key = sk-...mock',
          type: 'auth_error',
          param: 'None',
          code,
        },
      };
    case 'rate_limit':
      return {
        error: {
          message: `litellm.RateLimitError: RateLimitError: OpenAIException - Rate limit reached for ${model}.`,
          type: 'throttling_error',
          param: null,
          code,
        },
      };
    case 'context_length':
      return {
        error: {
          message:
            "litellm.ContextWindowExceededError: OpenAIException - This model's maximum context length is 8192 tokens. However, your messages resulted in 9001 tokens.",
          type: 'invalid_request_error',
          param: 'messages',
          code: 'context_length_exceeded',
        },
      };
    case 'content_filter':
      return {
        error: {
          message:
            'litellm.ContentPolicyViolationError: OpenAIException - The response was filtered due to the prompt triggering content management policy.',
          type: 'invalid_request_error',
          param: null,
          code: 'content_filter',
        },
      };
    case 'model_not_found':
      return status === 404
        ? {
            error: {
              message: `The model \`${model}\` does not exist or you do not have access to it.`,
              type: 'invalid_request_error',
              param: null,
              code: 'model_not_found',
            },
          }
        : {
            error: {
              message: `{'error': '/chat/completions: Invalid model name passed in model=${model}. Call \`/v1/models\` to view available models for your key.'}`,
              type: 'None',
              param: 'None',
              code,
            },
          };
    case 'bad_request':
      return {
        error: {
          message: 'litellm.BadRequestError: OpenAIException - Invalid request.',
          type: 'invalid_request_error',
          param: null,
          code,
        },
      };
    case 'unavailable':
      return {
        error: {
          message: 'litellm.ServiceUnavailableError: OpenAIException - The server is overloaded.',
          type: null,
          param: null,
          code,
        },
      };
    case 'timeout':
      return {
        error: {
          message: 'litellm.Timeout: APITimeoutError - Request timed out.',
          type: null,
          param: null,
          code,
        },
      };
    case 'server':
      return {
        error: {
          message: 'litellm.InternalServerError: OpenAIException - Internal server error.',
          type: null,
          param: null,
          code,
        },
      };
  }
}
