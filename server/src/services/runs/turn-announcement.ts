import type { ChatMessage } from '@app/common';
import type { TurnAnnouncement } from './run-relay.js';

export interface TurnStart {
  conversationId: string;
  /** The new user message (and the message it follows), or null when regenerating. */
  userMessage: { id: string; content: string; parentId?: string | null } | null;
  /** `parentId`: the question it answers (decision 0009). */
  assistant: { id: string; model: string; parentId?: string | null };
  removedMessageIds: string[];
  /** When the turn's rows were written (the answer is dated 1 ms later, as the rows are). */
  at: Date;
}

/** The live stream's `turn` event for a turn whose start was saved: its rows as a read shows them. */
export function announceTurn(start: TurnStart): TurnAnnouncement {
  const userMessage: ChatMessage | null = start.userMessage && {
    id: start.userMessage.id,
    conversationId: start.conversationId,
    role: 'user',
    content: start.userMessage.content,
    status: 'complete',
    createdAt: start.at.toISOString(),
    parentId: start.userMessage.parentId ?? null,
  };
  return {
    conversationId: start.conversationId,
    userMessage,
    assistantMessage: {
      id: start.assistant.id,
      conversationId: start.conversationId,
      role: 'assistant',
      content: '',
      status: 'streaming',
      model: start.assistant.model,
      createdAt: new Date(start.at.getTime() + 1).toISOString(),
      parentId: start.assistant.parentId ?? start.userMessage?.id ?? null,
    },
    removedMessageIds: start.removedMessageIds,
  };
}
