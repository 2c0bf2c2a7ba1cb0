import type { z } from 'zod';
import type { ApiError } from '../api';
import { explainError, humanMessage } from './error-text';

/**
 * A field message a person can read: zod's defaults ("Too small: expected string to have >=1
 * characters") become sentences, a message naming a variable or a schema path becomes a plain one;
 * messages already written for people are kept as they are.
 */
export function readableFieldMessage(message: string): string {
  const required = /^Invalid input: expected \w+, received (undefined|null)$/.exec(message);
  if (required) return 'This is required.';
  const size = /^Too (small|big): expected (string|array|number) to (?:have|be) ([<>]=?)(\d+(?:\.\d+)?)/.exec(
    message,
  );
  if (size) {
    const [, , kind, op, raw] = size;
    const n = Number(raw);
    const least = op?.startsWith('>');
    if (kind === 'string')
      return least
        ? n <= 1
          ? 'This is required.'
          : `Use at least ${n} characters.`
        : `Use at most ${n} characters.`;
    if (kind === 'number') return least ? `Use ${n} or more.` : `Use ${n} or less.`;
    return least ? `Give at least ${n}.` : `Give at most ${n}.`;
  }
  if (/^Invalid input: expected number/.test(message)) return 'Enter a number.';
  if (/^Unrecognized key/.test(message)) return 'This field is not accepted here.';
  if (/^must /.test(message)) return `${message[0]?.toUpperCase()}${message.slice(1)}`;
  return humanMessage(message) ? message.replace(/^[a-z][A-Za-z]*:\s+/, '') : 'Check this field.';
}

export type FieldErrors = Partial<Record<string, string>>;

/** The first message per top-level field of a failed zod parse. */
export function zodFieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? '_');
    errors[field] ??= readableFieldMessage(issue.message);
  }
  return errors;
}

/**
 * Spreads a server error over the form: a field named by the server's details goes to that field,
 * a model refusal to the model field, anything else stays a message at the top of the form.
 */
export function serverFieldErrors(
  error: ApiError,
  fields: readonly string[],
): { fields: FieldErrors; top: string | null } {
  if (error.code === 'model_not_allowed' || error.code === 'model_unavailable') {
    return { fields: { model: error.message }, top: null };
  }
  const result: FieldErrors = {};
  for (const [field, message] of detailsEntries(error.details, error.message)) {
    if (fields.includes(field)) result[field] ??= readableFieldMessage(message);
  }
  if (Object.keys(result).length > 0) return { fields: result, top: null };
  return { fields: {}, top: humanMessage(error.message) ?? explainError(error.code) };
}

/**
 * Accepts the shapes a validation error may carry: zod issues, `{fieldErrors}`, or `{field}` — the
 * chatbot service's `{field: 'maxTokens', max}`, whose words are the error's own message.
 */
function detailsEntries(details: unknown, errorMessage: string): Array<[string, string]> {
  if (Array.isArray(details)) {
    return details.flatMap((issue) => {
      if (!issue || typeof issue !== 'object') return [];
      const path = 'path' in issue && Array.isArray(issue.path) ? issue.path : [];
      const field = path[0] ?? ('field' in issue ? issue.field : undefined);
      const message = 'message' in issue ? issue.message : undefined;
      return typeof field === 'string' && typeof message === 'string'
        ? [[field, message] as [string, string]]
        : [];
    });
  }
  if (details && typeof details === 'object') {
    if ('fieldErrors' in details && details.fieldErrors && typeof details.fieldErrors === 'object') {
      return Object.entries(details.fieldErrors as Record<string, unknown>).flatMap(([field, messages]) => {
        const first = Array.isArray(messages) ? messages[0] : messages;
        return typeof first === 'string' ? [[field, first] as [string, string]] : [];
      });
    }
    if ('field' in details && typeof details.field === 'string') {
      const message = 'message' in details ? details.message : errorMessage;
      return typeof message === 'string' ? [[details.field, message]] : [];
    }
  }
  return [];
}
