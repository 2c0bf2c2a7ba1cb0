import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { ErrorCode } from '@app/common';
import { AppError } from '../../../errors.js';
import { LlmError } from '../../../llm/llm-errors.js';
import { statusByCode } from '../../error-status.js';

/**
 * OpenAI's error body: `{"error": {"message", "type", "param", "code"}}`. `code` is always a string
 * here (OpenAI's may be null), so it also reads as the product's `{error: {code, message}}`.
 */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** Our error codes → OpenAI's `type` and `code` (the status stays statusByCode's). */
const openAiKinds: Partial<Record<ErrorCode, { type: string; code: string }>> = {
  bad_request: { type: 'invalid_request_error', code: 'invalid_request' },
  validation_failed: { type: 'invalid_request_error', code: 'invalid_value' },
  unauthorized: { type: 'invalid_request_error', code: 'invalid_api_key' },
  forbidden: { type: 'invalid_request_error', code: 'permission_denied' },
  model_not_allowed: { type: 'invalid_request_error', code: 'model_not_allowed' },
  not_found: { type: 'invalid_request_error', code: 'model_not_found' },
  payload_too_large: { type: 'invalid_request_error', code: 'input_too_long' },
  context_length: { type: 'invalid_request_error', code: 'context_length_exceeded' },
  rate_limited: { type: 'requests', code: 'rate_limit_exceeded' },
  concurrency_limited: { type: 'requests', code: 'concurrency_limit_exceeded' },
  budget_exceeded: { type: 'insufficient_quota', code: 'insufficient_quota' },
};

const GENERIC_5XX = 'Something went wrong on our side. Please try again.';

/** The one mapping of an error to OpenAI's wire (status, Retry-After, body) for /v1/*. */
export function openAiErrorOf(
  error: unknown,
  request: FastifyRequest,
): { status: number; retryAfterSeconds?: number; body: OpenAiErrorBody } {
  if (error instanceof AppError || error instanceof LlmError) {
    const code = error.code as ErrorCode;
    const status = statusByCode[code] ?? 500;
    const kind = openAiKinds[code] ?? {
      type: status >= 500 ? 'server_error' : 'invalid_request_error',
      code,
    };
    const retryAfterSeconds =
      error instanceof AppError
        ? error.extra.retryAfterSeconds
        : error.retryAfterMs === undefined
          ? undefined
          : error.retryAfterMs / 1000;
    const details =
      error instanceof AppError ? (error.extra.details as { param?: unknown } | undefined) : undefined;
    const param = typeof details?.param === 'string' ? details.param : code === 'not_found' ? 'model' : null;
    // Ours is an error; an upstream's failure a warning (the upstream's own logs have the rest).
    if (status >= 500 && error instanceof AppError) request.log.error({ err: error }, 'request failed');
    else if (status >= 500) request.log.warn({ err: error }, 'chatbot API call failed upstream');
    return {
      status,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      body: { error: { message: error.message, type: kind.type, param, code: kind.code } },
    };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issue = error.validation[0];
    const param = issue?.instancePath.replace(/^\//, '').replaceAll('/', '.') || null;
    return {
      status: 400,
      body: {
        error: {
          message: `${param ? `${param}: ` : ''}${issue?.message ?? 'Invalid request'}`,
          type: 'invalid_request_error',
          param,
          code: 'invalid_value',
        },
      },
    };
  }
  const status = (error as FastifyError).statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return {
      status,
      body: {
        error: {
          message: (error as Error).message || 'Bad request',
          type: 'invalid_request_error',
          param: null,
          code: status === 404 ? 'not_found' : 'invalid_request',
        },
      },
    };
  }
  request.log.error({ err: error }, 'request failed');
  return {
    status: 500,
    body: { error: { message: GENERIC_5XX, type: 'server_error', param: null, code: 'server_error' } },
  };
}

export function sendOpenAiError(reply: FastifyReply, error: unknown) {
  const { status, retryAfterSeconds, body } = openAiErrorOf(error, reply.request);
  // Every 429 says when to come back (the SDKs wait that long): 1 s when nothing said more.
  const wait = retryAfterSeconds ?? (status === 429 ? 1 : undefined);
  if (wait !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(wait))));
  return reply.status(status).send(body);
}
