import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { ErrorCode } from '@app/common';
import { AppError } from '../../errors.js';
import { LlmError } from '../../llm/llm-errors.js';
import { statusByCode } from '../error-status.js';
import { sqlStateIn } from '../../db/sql-state.js';

/**
 * The one place errors become HTTP answers: `{"error":{"code","message","details?"}}`.
 * 5xx messages are generic (the cause is logged); nothing leaks a stack, key or another user's data.
 */
export const errorHandlerPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error instanceof AppError) {
        if (error.extra.retryAfterSeconds !== undefined) {
          reply.header('retry-after', String(Math.ceil(error.extra.retryAfterSeconds)));
        }
        return send(reply, error.code, error.message, error.extra.details);
      }
      if (error instanceof LlmError) {
        if (error.retryAfterMs !== undefined)
          reply.header('retry-after', String(Math.ceil(error.retryAfterMs / 1000)));
        return send(reply, error.code, error.message);
      }
      if (hasZodFastifySchemaValidationErrors(error)) {
        const details = error.validation.map((issue) => ({
          field: issue.instancePath.replace(/^\//, '').replaceAll('/', '.') || null,
          message: issue.message,
        }));
        const first = details[0];
        const message = first
          ? `${first.field ? `${first.field}: ` : ''}${first.message}`
          : 'Invalid request';
        return send(reply, 'validation_failed', message, details);
      }
      const sqlState = dataExceptionOf(error);
      if (sqlState) {
        // Input the database cannot store (a NUL byte, an invalid encoding): the client's fault. The
        // driver's error carries the query parameters (user text), so only the SQLSTATE is logged.
        request.log.warn({ sqlState }, 'request refused by the database as invalid data');
        return send(reply, 'bad_request', 'The request contains characters or values that cannot be stored');
      }
      const status = error.statusCode ?? 500;
      if (status === 429) return send(reply, 'rate_limited', error.message || 'Too many requests');
      if (status === 413) return send(reply, 'payload_too_large', 'The request body is too large');
      if (status >= 400 && status < 500) {
        const code: ErrorCode =
          status === 404 ? 'not_found' : status === 401 ? 'unauthorized' : 'bad_request';
        return send(reply, code, error.message || 'Bad request', undefined, status);
      }
      request.log.error({ err: error }, 'request failed');
      return send(reply, 'internal', 'Something went wrong on our side. Please try again.');
    });
  },
  { name: 'error-handler' },
);

/**
 * The SQLSTATE of a PostgreSQL data exception (class 22: invalid byte sequence, untranslatable
 * character, value out of range…) anywhere in the cause chain.
 */
function dataExceptionOf(error: unknown): string | null {
  return sqlStateIn(error, (state) => /^22[0-9A-Z]{3}$/.test(state));
}

export function send(
  reply: FastifyReply,
  code: ErrorCode,
  message: string,
  details?: unknown,
  status?: number,
) {
  return reply
    .status(status ?? statusByCode[code] ?? 500)
    .send({ error: details === undefined ? { code, message } : { code, message, details } });
}
