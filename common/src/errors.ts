import { z } from 'zod';

/** Stable error codes a client may branch on. Documented in docs/api-errors (OpenAPI). */
export const errorCodes = [
  'bad_request',
  'validation_failed',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'payload_too_large',
  'rate_limited',
  'concurrency_limited',
  'budget_exceeded',
  'model_not_allowed',
  'model_unavailable',
  'internal',
  'service_unavailable',
  // LLM failures (mirrors server/src/llm LlmErrorCode)
  'auth',
  'timeout',
  'unavailable',
  'model_not_found',
  'context_length',
  'content_filter',
  'aborted',
  'upstream',
  'unexpected_end',
  // Publishing (issue 22, docs/publishing.md)
  'publishing_not_in_plan',
  'published_bots_limit',
  'slug_taken',
  'origin_not_allowed',
  'visitor_token_invalid',
  'visitor_limit',
  'visitor_concurrency',
  'ip_limit',
  'bot_spend_cap',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export const apiErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});

export type ApiErrorBody = z.infer<typeof apiErrorBody>;
