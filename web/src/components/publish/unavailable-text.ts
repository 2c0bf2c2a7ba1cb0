import type { ApiError } from '../../api';

/** Why a visitor cannot chat, in a sentence (the share page and the widget panel). */
export function unavailableText(error: ApiError | null): string {
  if (!error) return 'This chat is not available right now.';
  if (error.code === 'origin_not_allowed')
    return 'This chat cannot be used on this website: its owner has not allowed this site to embed it.';
  if (error.status === 404) return 'This chatbot is not published, or the link is wrong.';
  if (error.status === 429) return 'Too many visitors right now. Try again in a few minutes.';
  if (error.status === 0) return 'Could not reach the chat service. Check your connection and reload.';
  return 'This chat is not available right now. Try again later.';
}
