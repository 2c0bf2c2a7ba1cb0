import { pino } from 'pino';

/**
 * The logger's `err` serializer: pino's own, given a copy of the error without the data it may
 * carry. Database drivers put the bound values of the failed statement on their errors (drizzle's
 * `params` and its message's `params: …` line, PGlite's `query`/`params`, PostgreSQL's `detail`
 * "Failing row contains (…)"): for a chat turn that is the private answer text. An upstream error
 * carries the response body and headers (which may echo our key). None of it is needed to tell what
 * failed, so none of it is logged, on the error itself or on any error in its `cause` chain, its
 * `errors` or its properties.
 */

/** Properties never copied from an error (or from an object inside one). */
const DROPPED = new Set([
  // bound values and statement text (drizzle, PGlite, pg, postgres.js)
  'params',
  'parameters',
  'values',
  'args',
  'query',
  'queryOptions',
  'internalQuery',
  'detail',
  'where',
  // what an HTTP client attaches: the exchange itself
  'headers',
  'body',
  'response',
  'request',
  'config',
]);

/** Copied on their own (drizzle makes `cause` enumerable). */
const OWN = new Set(['message', 'stack', 'cause', 'errors']);

const MAX_DEPTH = 6;
const MAX_ITEMS = 20;

/** drizzle's "Failed query: <sql>\nparams: <values>": the values go, the statement stays. */
const PARAMS_LINE = '\nparams: ';
/** PostgreSQL data exceptions (SQLSTATE 22xxx) quote the offending value: `… type uuid: "…"`. */
const QUOTED_VALUE = /: ".*"$/s;

export function serializeError(value: unknown): unknown {
  const clean = sanitize(value, 0, new WeakSet());
  return isErrorLike(clean) ? pino.stdSerializers.err(clean as Error) : clean;
}

/** `ancestors` holds the objects on the path from the top: a cycle ends in a marker. */
function sanitize(value: unknown, depth: number, ancestors: WeakSet<object>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (ancestors.has(value) || depth > MAX_DEPTH) return '[…]';
  ancestors.add(value);
  try {
    if (Array.isArray(value))
      return value.slice(0, MAX_ITEMS).map((item) => sanitize(item, depth + 1, ancestors));
    if (isErrorLike(value)) return sanitizeError(value, depth, ancestors);
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) return value;
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (!DROPPED.has(key)) copy[key] = sanitize(item, depth + 1, ancestors);
    }
    return copy;
  } finally {
    ancestors.delete(value);
  }
}

function sanitizeError(error: Error, depth: number, ancestors: WeakSet<object>): Error {
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Error;
  const message = cleanMessage(error);
  hidden(copy, 'message', message);
  if (typeof error.stack === 'string') hidden(copy, 'stack', cleanStack(error.stack, error.message, message));
  for (const [key, item] of Object.entries(error)) {
    if (DROPPED.has(key) || OWN.has(key)) continue;
    // An upstream client's `error` is the response body (an Error there is a real error).
    if (key === 'error' && !isErrorLike(item)) continue;
    (copy as unknown as Record<string, unknown>)[key] = sanitize(item, depth + 1, ancestors);
  }
  if (error.cause !== undefined) hidden(copy, 'cause', sanitize(error.cause, depth + 1, ancestors));
  const { errors } = error as { errors?: unknown };
  if (Array.isArray(errors)) hidden(copy, 'errors', sanitize(errors, depth + 1, ancestors));
  return copy;
}

function cleanMessage(error: Error): string {
  let message = typeof error.message === 'string' ? error.message : '';
  const params = message.indexOf(PARAMS_LINE);
  if (params !== -1) message = message.slice(0, params);
  const { code } = error as { code?: unknown };
  if (typeof code === 'string' && code.startsWith('22')) message = message.replace(QUOTED_VALUE, ': "…"');
  return message;
}

/** The stack starts with the message: the cleaned one takes its place. */
function cleanStack(stack: string, original: string, cleaned: string): string {
  if (original === cleaned) return stack;
  const at = original === '' ? -1 : stack.indexOf(original);
  if (at !== -1) return `${stack.slice(0, at)}${cleaned}${stack.slice(at + original.length)}`;
  const frames = stack.search(/\n\s+at /);
  return frames === -1 ? cleaned : `${cleaned}${stack.slice(frames)}`;
}

function hidden(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: false, writable: true, configurable: true });
}

function isErrorLike(value: unknown): value is Error {
  return (
    value instanceof Error ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as { message?: unknown }).message === 'string' &&
      typeof (value as { stack?: unknown }).stack === 'string')
  );
}
