import type { ReasoningEffort } from '@app/common';
import type { LlmMessage } from '../../llm/client.js';

/** Everything a turn needs, prepared (and authorised) by ChatService. */
export interface TurnPlan {
  userId: string;
  chatbot: {
    id: string;
    model: string;
    temperature: number;
    maxTokens: number;
    /** Sent when set; dropped for a model without it (services/model-call-shaping.ts). */
    reasoningEffort?: ReasoningEffort | null;
  };
  conversationId: string;
  newConversationTitle: string | null;
  /** A published bot's visitor: a new conversation is created as theirs (issue 22). */
  visitorId?: string | null;
  /**
   * The user message to insert, or null when answering an existing one again. `parentId`: the
   * message it follows, null for the first (or a new version of the first: decision 0009).
   */
  userMessage: { id: string; content: string; parentId: string | null } | null;
  /** The question answered: the new user message, or the one answered again. The answer's parent. */
  userMessageId: string;
  /** The active branch up to the question (history window applied) and the question itself. */
  llmMessages: LlmMessage[];
}
