import type { ApiError } from '../api';
import { formatCount } from './usage-format';

/** What an error code means for the person in front of the screen. */
const explanations: Record<string, string> = {
  rate_limited: 'Too many requests. Wait a moment and try again.',
  concurrency_limited: 'Another answer is still being written. Wait for it to finish.',
  budget_exceeded: 'Your usage budget for this month is used up.',
  payload_too_large: 'The message is too long.',
  model_not_allowed:
    "Your plan does not include this chatbot's model. Edit the chatbot and pick another model.",
  model_unavailable: 'This model is not available right now.',
  model_not_found: 'The provider does not know this model. Tell the operator.',
  timeout: 'The model took too long to answer.',
  unavailable: 'The model service is unavailable right now. Try again shortly.',
  service_unavailable: 'The service is unavailable right now. Try again shortly.',
  upstream: 'The model service returned an error.',
  unexpected_end: 'The answer broke off before it was complete.',
  network: 'The connection was lost.',
  context_length: 'This conversation is too long for the model. Start a new conversation.',
  content_filter: "The provider's content filter blocked this answer.",
  auth: "The server's credentials for the model were refused. Tell the operator.",
  internal: 'The server had a problem.',
  bad_event: 'The server sent something unexpected.',
  unauthorized: 'You were signed out. Sign in again to continue.',
  forbidden: 'You are not allowed to do that.',
  not_found: 'This no longer exists (or is not yours).',
  validation_failed: 'Something in the form needs fixing.',
  bad_request: 'The request could not be understood.',
};

/** Errors a plan's limits cause: shown with a link to the plan page (/plan) where the limits are. */
const PLAN_LIMIT_CODES = new Set(['budget_exceeded', 'rate_limited', 'concurrency_limited']);

/** The plan page's link for an error caused by a plan limit, else null (ErrorPlanLink.vue renders it). */
export function planLinkFor(code: string | null | undefined): { to: string; text: string } | null {
  return code && PLAN_LIMIT_CODES.has(code) ? { to: '/plan', text: 'See your plan and its limits' } : null;
}

export function explainError(code: string | null | undefined): string {
  return (code && explanations[code]) || 'Something went wrong while answering.';
}

/** An environment variable (LLM_BASE_URL), a schema path (`body.title`, `messages[0]`) or a code name. */
const technical =
  /\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|\b[A-Za-z_]\w*(?:\[\d+\]|\.[A-Za-z_]\w*)+|\b[a-z]+[A-Z][A-Za-z]*\b|\b[a-z]+_[a-z_]+\b/;

/**
 * A server message a person may read as it is, or null: it is cut of parenthesised code names
 * ("… at most 8,000 (maxInputChars).") and refused when it still names a variable or a path.
 */
export function humanMessage(message: string | null | undefined): string | null {
  if (!message) return null;
  const cleaned = message
    .replace(/\s*\((?:[a-z]+[A-Z][A-Za-z]*|[A-Z][A-Z0-9_]+|[a-z]+(?:_[a-z]+)+)\)/g, '')
    // A field's name in front ("title: …") says nothing to a person; a longer path is refused below.
    .replace(/^[a-z][A-Za-z]*:\s+/, '')
    .trim();
  if (!cleaned || technical.test(cleaned)) return null;
  return /[.!?…]$/.test(cleaned) ? cleaned : `${cleaned}.`;
}

function detailNumber(details: unknown, key: string): number | null {
  if (!details || typeof details !== 'object' || !(key in details)) return null;
  const value = (details as Record<string, unknown>)[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * One sentence for a failed request, for a person: what happened and what to do. Known cases are
 * worded here from the error's details; otherwise the server's message when it reads as a sentence,
 * else the code's explanation.
 */
export function describeApiError(error: Pick<ApiError, 'code' | 'message' | 'details' | 'status'>): string {
  if (error.code === 'payload_too_large') {
    const max = detailNumber(error.details, 'max');
    const actual = detailNumber(error.details, 'actual');
    if (max !== null) {
      return actual !== null
        ? `This message is ${formatCount(actual)} characters; your plan allows ${formatCount(max)}. Shorten it and try again.`
        : `Your plan allows messages of up to ${formatCount(max)} characters. Shorten it and try again.`;
    }
    return 'The message is too long. Shorten it and try again.';
  }
  if (error.code === 'concurrency_limited') {
    const max = detailNumber(error.details, 'max');
    return max !== null
      ? `Your plan allows ${formatCount(max)} ${max === 1 ? 'answer' : 'answers'} at a time. Wait for the other one to finish (or stop it), then send again.`
      : explainError(error.code);
  }
  if (error.code === 'network') return 'Could not reach the server. Check your connection and try again.';
  if (error.status === 401 || error.code === 'unauthorized') return explainError('unauthorized');
  return humanMessage(error.message) ?? explainError(error.code);
}
