import crypto from 'node:crypto';
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { pino, type Logger, type LoggerOptions } from 'pino';
import { redactSecrets } from '../logging/redact.js';
import { serializeError } from '../logging/serialize-error.js';

/** Paths pino blanks out: credentials must never reach a log line. */
export const redactPaths = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-admin-token"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.apiKey',
  '*.api_key',
  '*.secret',
  '*.token',
];

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Besides the paths above, whatever the line says: errors are logged without the values they carry
 * (`serializeError`: bound SQL parameters, upstream bodies and headers), and every finished line
 * passes `redactSecrets` (the config's secrets and anything like `scheme://user:pass@` or
 * `Bearer …`), so no code path that formats an error or a URL into a message can publish one.
 */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    serializers: { err: serializeError, error: serializeError, cause: serializeError },
    hooks: { streamWrite: redactSecrets },
  };
}

/** Lines are gathered up to this many bytes, or for at most LOG_FLUSH_MS, per write to stdout. */
const LOG_BUFFER_BYTES = 4096;
const LOG_FLUSH_MS = 1000;

/**
 * The process logger: JSON lines on stdout, credentials redacted. Written asynchronously and a few
 * lines at a time: a write per line was ≈ 6% of a small request's CPU. pino flushes what is left
 * synchronously when the process exits (crash included); a kill -9 can lose the last second.
 */
export function createLogger(level: string): Logger {
  const destination = pino.destination({
    dest: 1,
    sync: false,
    minLength: LOG_BUFFER_BYTES,
    periodicFlush: LOG_FLUSH_MS,
  });
  return pino(loggerOptions(level), destination);
}

/** Keep a caller's (load balancer's) request id when it looks sane, else make one. */
export function genReqId(request: { headers: Record<string, string | string[] | undefined> }): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : crypto.randomUUID();
}

/**
 * One line per request, when it ends (Fastify writes two), of flat plain values: redaction walks
 * whatever object it is given (walking the request object cost more than the rest of a small
 * request), and the query string stays out of logs (it can carry one-time tokens).
 * The line of a request that succeeded goes through a child logger without redaction: its values
 * are all built here (method, path, address, status, time, request id), none can be a credential,
 * and redaction's wildcard paths cost ≈ 4% of a small request's CPU for nothing. Error lines
 * carry an error object and keep the process logger's redaction.
 */
export class RequestLogController extends LogController {
  private readonly errorLines: Pick<Logger, 'error'>;
  private readonly plainLines: Pick<Logger, 'info'>;

  constructor(logger: Pick<Logger, 'child' | 'error'>) {
    super();
    this.errorLines = logger;
    this.plainLines = logger.child({}, { redact: [] });
  }

  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const queryAt = request.url.indexOf('?');
    const line = {
      reqId: request.id,
      method: request.method,
      url: queryAt === -1 ? request.url : request.url.slice(0, queryAt),
      remoteAddress: request.ip,
      statusCode: reply.statusCode,
      responseTime: reply.elapsedTime,
    };
    if (error) this.errorLines.error({ ...line, err: error }, 'request errored');
    // The request's own logger knows its level (a route may log only warnings, as the health
    // probes do); it is the pino child Fastify made from the process logger.
    else if ((request.log as Logger).isLevelEnabled('info')) this.plainLines.info(line, 'request completed');
  }
}
