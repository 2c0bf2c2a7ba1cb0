import { forgetMemory, readMemory, writeMemory } from '../../composables/onboarding-memory';

/**
 * A template's suggested first questions, kept in this browser per chatbot: the chatbot has no field
 * for them (the published bot's suggestions are a separate, visitor-facing setting).
 */
const key = (chatbotId: string) => `suggestions:${chatbotId}`;
const MAX_SUGGESTIONS = 4;

export function rememberSuggestions(chatbotId: string, suggestions: readonly string[]) {
  if (suggestions.length > 0) writeMemory(key(chatbotId), suggestions.slice(0, MAX_SUGGESTIONS));
}

export function suggestionsFor(chatbotId: string): string[] {
  const stored = readMemory<unknown>(key(chatbotId));
  return Array.isArray(stored) ? stored.filter((item): item is string => typeof item === 'string') : [];
}

export function forgetSuggestions(chatbotId: string) {
  forgetMemory(key(chatbotId));
}
