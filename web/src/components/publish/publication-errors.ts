import { publicationSettingsBody, type PublicationSettingsBody } from '@app/common';
import type { ApiError } from '../../api';
import { explainError, humanMessage } from '../error-text';
import { readableFieldMessage, type FieldErrors } from '../form-errors';

/**
 * Field keys of the publish form: top-level names, and dotted paths for nested ones
 * ('appearance.accent', 'limits.messagesPerDay', 'suggestions.2'). All allowed origins share one
 * field (the textarea), its message naming the line.
 */
export function fieldKey(path: ReadonlyArray<PropertyKey>): string {
  const [head, next] = path;
  if (head === 'allowedOrigins') return 'allowedOrigins';
  if ((head === 'appearance' || head === 'limits' || head === 'suggestions') && next !== undefined)
    return `${String(head)}.${String(next)}`;
  return String(head ?? '_');
}

/** Messages written as sentences (the schema's own) stay; zod's defaults become sentences. */
const sentence = (message: string) =>
  /^[A-Z].*[.!?]$/.test(message) ? message : readableFieldMessage(message);

function withLine(path: ReadonlyArray<PropertyKey>, message: string): string {
  const index = path[0] === 'allowedOrigins' ? path[1] : undefined;
  return typeof index === 'number' ? `Line ${index + 1}: ${message}` : message;
}

/** What the form would send, checked with the server's own schema: messages per field. */
export function validatePublication(body: PublicationSettingsBody): FieldErrors {
  const parsed = publicationSettingsBody.safeParse(body);
  if (parsed.success) return {};
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    errors[fieldKey(issue.path)] ??= withLine(issue.path, sentence(issue.message));
  }
  return errors;
}

/** Codes whose words belong to one field. */
const CODE_FIELDS: Record<string, string> = {
  slug_taken: 'slug',
  spend_cap_above_budget: 'limits.monthlySpendCapUsd',
  published_bots_limit: 'mode',
  publishing_not_in_plan: 'mode',
};

/** A failed save spread over the form's fields (`details: [{field: 'appearance.accent', message}]`). */
export function publicationServerErrors(error: ApiError): { fields: FieldErrors; top: string | null } {
  const said = humanMessage(error.message) ?? explainError(error.code);
  const codeField = CODE_FIELDS[error.code];
  if (codeField) return { fields: { [codeField]: said }, top: null };
  const fields: FieldErrors = {};
  if (Array.isArray(error.details)) {
    for (const issue of error.details as Array<{ field?: unknown; path?: unknown; message?: unknown }>) {
      if (typeof issue?.message !== 'string') continue;
      const path =
        typeof issue.field === 'string'
          ? issue.field.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part))
          : Array.isArray(issue.path)
            ? (issue.path as PropertyKey[])
            : [];
      if (path.length === 0) continue;
      fields[fieldKey(path)] ??= withLine(path, sentence(issue.message));
    }
  }
  if (Object.keys(fields).length > 0) return { fields, top: null };
  return { fields: {}, top: said };
}
