import type { MockErrorKind } from './mock-llm-types.js';

/** OpenAI's own error bodies (the `openai` flavour): `code` is a name or null, never the status. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

function body(
  message: string,
  type: string,
  code: string | null,
  param: string | null = null,
): OpenAiErrorBody {
  return { error: { message, type, param, code } };
}

export function openAiErrorBody(kind: MockErrorKind, model: string): OpenAiErrorBody {
  switch (kind) {
    case 'auth':
      return body(
        'Incorrect API key provided: sk-...mock. You can find your API key at https://platform.openai.com/account/api-keys.',
        'invalid_request_error',
        'invalid_api_key',
      );
    case 'rate_limit':
      return body(
        `Rate limit reached for ${model} in organization org-mock on requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in 120ms. Visit https://platform.openai.com/account/rate-limits to learn more.`,
        'requests',
        'rate_limit_exceeded',
      );
    case 'context_length':
      return body(
        "This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens. Please reduce the length of the messages.",
        'invalid_request_error',
        'context_length_exceeded',
        'messages',
      );
    case 'content_filter':
      return body(
        'Your request was rejected as a result of our safety system.',
        'invalid_request_error',
        'content_policy_violation',
      );
    case 'model_not_found':
      return body(
        `The model \`${model}\` does not exist or you do not have access to it.`,
        'invalid_request_error',
        'model_not_found',
      );
    case 'bad_request':
      return body('Invalid request.', 'invalid_request_error', null);
    case 'unavailable':
      return body('The server is overloaded or not ready yet.', 'server_error', null);
    case 'timeout':
      return body('Request timed out.', 'server_error', null);
    case 'server':
      return body(
        'The server had an error while processing your request. Sorry about that!',
        'server_error',
        null,
      );
  }
}

export const missingKeyBody = body(
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). You can obtain an API key from https://platform.openai.com/account/api-keys.",
  'invalid_request_error',
  null,
);
