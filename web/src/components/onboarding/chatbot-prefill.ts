import type { ChatbotDraft } from '../../templates/chatbot-templates';

/**
 * A draft handed from the empty state to the new-chatbot form within this tab (a prompt written from a
 * one-line description is too long for a URL). Taken once: a reload shows the empty form.
 */
export interface ChatbotPrefill {
  draft: ChatbotDraft;
  suggestions: readonly string[];
}

let pending: ChatbotPrefill | null = null;

export function setChatbotPrefill(prefill: ChatbotPrefill) {
  pending = prefill;
}

export function takeChatbotPrefill(): ChatbotPrefill | null {
  const taken = pending;
  pending = null;
  return taken;
}
