import type { ApiError } from '../../api';

export type Errors = Partial<Record<string, string>>;

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const isEmail = (value: string) => EMAIL_PATTERN.test(value.trim());

/** What a field message from the server says, in the words of the account forms. */
const WORDS: Record<string, (message: string) => string> = {
  newEmail: (message) => (/email/.test(message) ? 'Enter a valid email address.' : sentence(message)),
  email: (message) => (/email/.test(message) ? 'Enter a valid email address.' : sentence(message)),
  name: (message) => (/empty/.test(message) ? 'Enter your name.' : sentence(message)),
  currentPassword: (message) =>
    /required/.test(message) ? 'Enter your current password.' : sentence(message),
  password: (message) => (/required/.test(message) ? 'Enter your password.' : sentence(message)),
  newPassword: (message) => sentence(message).replace(/^Must be/, 'The new password must be'),
};

function sentence(message: string): string {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/**
 * Spreads a failed request over a form: messages the server gave for one of `fields` go under that
 * field; better-auth's own refusals ("Invalid password") become sentences; the rest is one message.
 */
export function accountErrors(
  error: ApiError,
  fields: readonly string[],
): { fields: Errors; top: string | null } {
  const result: Errors = {};
  if (Array.isArray(error.details)) {
    for (const detail of error.details as Array<{ field?: unknown; message?: unknown }>) {
      const field = typeof detail.field === 'string' ? detail.field : null;
      if (field && fields.includes(field) && typeof detail.message === 'string') {
        result[field] ??= (WORDS[field] ?? sentence)(detail.message);
      }
    }
  }
  if (Object.keys(result).length > 0) return { fields: result, top: null };
  if (error.code === 'invalid_password') {
    const field = fields.includes('currentPassword') ? 'currentPassword' : 'password';
    return { fields: { [field]: 'That is not your current password.' }, top: null };
  }
  if (error.code === 'password_too_short')
    return { fields: { newPassword: 'The new password is too short.' }, top: null };
  return { fields: {}, top: readable(error.message) ?? 'Something went wrong. Please try again.' };
}

/** A server message shown as it is unless it names a field path or a variable. */
function readable(message: string): string | null {
  if (!message || /^[\w.[\]]+:\s/.test(message) || /[A-Z][A-Z0-9]*_[A-Z0-9_]+/.test(message)) return null;
  return sentence(message);
}
