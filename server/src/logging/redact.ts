/**
 * The one redaction of credentials in text: every log line (the process logger's last step), the
 * readiness body, start-up errors and the admin CLI's messages go through `redactSecrets`, whatever
 * produced the text (an upstream echoing our key, a driver printing a URL, a fetch error).
 *
 * Two kinds of things are blanked:
 * - the values of the secrets this process holds (the LLM key, URL passwords, the auth secret),
 *   registered once when the config is read, in the forms they take inside text: as given, as
 *   escaped inside a JSON string, and percent-encoded;
 * - whatever looks like a credential: the user info of any `scheme://user:password@host` URL and
 *   the token after `Bearer`.
 *
 * Pure and dependency-free: config/ registers, everything else redacts.
 */

export const REDACTED = '[redacted]';

/**
 * Shorter values are not registered: a password of `postgres` would blank the word from every line.
 * Such a password is still blanked inside a URL (the pattern below), just not on its own.
 */
const MIN_SECRET_LENGTH = 8;
/** A value of 8–15 characters counts only with a digit or a symbol in it (not a plain word). */
const WORDLIKE = /^[A-Za-z]+$/;

const known = new Set<string>();
/** Longest first, so a secret containing another is blanked whole. */
let variants: string[] = [];

/**
 * `scheme://userinfo@` (the user info never contains `/ ? # @`, quotes or spaces) and
 * `Bearer <token>` (8+ token characters, so prose like "a bearer token" stays).
 */
const PATTERN = /(\b[a-z][a-z0-9+.-]{0,30}:\/\/)[^\s/?#@"'<>\\]+@|(\bbearer\s+)[A-Za-z0-9._~+/-]{8,}=*/gi;

/** Remembers secrets to blank from now on (values that are too short or word-like are skipped). */
export function registerSecrets(values: Iterable<string | null | undefined>): void {
  let added = false;
  for (const value of values) {
    if (!value || !isSecretLike(value)) continue;
    for (const form of formsOf(value)) {
      if (known.has(form)) continue;
      known.add(form);
      added = true;
    }
  }
  if (added) variants = [...known].sort((a, b) => b.length - a.length);
}

function isSecretLike(value: string): boolean {
  if (value.length < MIN_SECRET_LENGTH) return false;
  return value.length >= 16 || !WORDLIKE.test(value);
}

function formsOf(value: string): string[] {
  const forms = [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)];
  try {
    forms.push(decodeURIComponent(value));
  } catch {
    // not percent-encoded
  }
  return forms.filter((form) => isSecretLike(form));
}

/** Blanks registered secrets and credential-looking parts of `text`. */
export function redactSecrets(text: string): string {
  let result = text;
  for (const secret of variants) {
    if (result.includes(secret)) result = result.replaceAll(secret, REDACTED);
  }
  // Most lines hold neither a URL with user info nor a bearer token: two cheap scans skip the regex.
  if (!result.includes('@') && !/earer/i.test(result)) return result;
  PATTERN.lastIndex = 0;
  if (!PATTERN.test(result)) return result;
  return result.replace(PATTERN, (_match, scheme: string | undefined, bearer: string | undefined) =>
    scheme !== undefined ? `${scheme}${REDACTED}@` : `${bearer ?? ''}${REDACTED}`,
  );
}

/** True when `text` holds a registered secret or a credential-looking part. */
export function containsSecret(text: string): boolean {
  return redactSecrets(text) !== text;
}

/** `redactSecrets` over every string of a JSON-like value (objects, arrays), for response bodies. */
export function redactDeep<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return redactSecrets(value) as T;
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => redactDeep(item, depth + 1)) as T;
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) result[key] = redactDeep(item, depth + 1);
  return result as T;
}

/** A URL split into the part that may be shown and the credentials it carried. */
export interface SplitUrl {
  /** The URL without user info (path, query and fragment kept). */
  url: string;
  /** Percent-decoded, or null when the URL had none. */
  username: string | null;
  password: string | null;
}

/** Takes the user info out of a URL. Throws for a string that is not a URL. */
export function splitUrlCredentials(value: string): SplitUrl {
  const parsed = new URL(value);
  const username = parsed.username ? safeDecode(parsed.username) : null;
  const password = parsed.password ? safeDecode(parsed.password) : null;
  if (username === null && password === null) return { url: value, username, password };
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString(), username, password };
}

/** The URL for a log line or an error message: no user info, no query, no fragment. */
export function displayUrl(value: string): string {
  try {
    const parsed = new URL(value);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/** The password of a URL as written and decoded, for `registerSecrets`; none for a non-URL. */
export function urlSecrets(value: string | null | undefined): string[] {
  if (!value) return [];
  try {
    const { password } = new URL(value);
    return password ? [password, safeDecode(password)] : [];
  } catch {
    return [];
  }
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
