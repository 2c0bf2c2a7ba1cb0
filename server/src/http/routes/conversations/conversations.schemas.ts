import { z } from 'zod';
import { CONVERSATION_SEARCH_MAX_CHARS, renameConversationBody } from '@app/common';
import { conversationListQuery } from '../chat/chat.schemas.js';

export { renameConversationBody };

/** The list's query plus `q`, a search of titles and message text (blank: no search). */
export const conversationSearchQuery = conversationListQuery.extend({
  q: z
    .string()
    .trim()
    .max(CONVERSATION_SEARCH_MAX_CHARS, `Search for at most ${CONVERSATION_SEARCH_MAX_CHARS} characters.`)
    .refine((value) => !value.includes('\u0000'), 'The search must not contain NUL characters.')
    .optional()
    .describe('Case-insensitive text to find in conversation titles and messages'),
});
