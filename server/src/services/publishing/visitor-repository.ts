import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import { conversations, messageFeedback, messages } from '../../db/schema.js';

export type Rating = 'up' | 'down';

/** Visitor conversations and feedback: every read names the bot AND the visitor. */
export class VisitorRepository {
  constructor(private readonly db: Db) {}

  async findConversation(chatbotId: string, visitorId: string, conversationId: string) {
    const rows = await this.db
      .select({ id: conversations.id, title: conversations.title, updatedAt: conversations.updatedAt })
      .from(conversations)
      .where(
        and(
          eq(conversations.id, conversationId),
          eq(conversations.chatbotId, chatbotId),
          eq(conversations.visitorId, visitorId),
        ),
      )
      .limit(1);
    return rows[0] ?? null;
  }

  async listConversations(chatbotId: string, visitorId: string, limit: number) {
    return this.db
      .select({ id: conversations.id, title: conversations.title, updatedAt: conversations.updatedAt })
      .from(conversations)
      .where(and(eq(conversations.chatbotId, chatbotId), eq(conversations.visitorId, visitorId)))
      .orderBy(desc(conversations.updatedAt), desc(conversations.id))
      .limit(limit);
  }

  /** A message in one of the visitor's conversations of this bot, or null. */
  async findMessage(chatbotId: string, visitorId: string, messageId: string) {
    const rows = await this.db
      .select({ id: messages.id, role: messages.role, conversationId: messages.conversationId })
      .from(messages)
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      .where(
        and(
          eq(messages.id, messageId),
          eq(conversations.chatbotId, chatbotId),
          eq(conversations.visitorId, visitorId),
        ),
      )
      .limit(1);
    return rows[0] ?? null;
  }

  async setFeedback(
    message: { id: string; conversationId: string },
    chatbotId: string,
    rating: Rating | null,
  ): Promise<void> {
    if (rating === null) {
      await this.db.delete(messageFeedback).where(eq(messageFeedback.messageId, message.id));
      return;
    }
    await this.db
      .insert(messageFeedback)
      .values({ messageId: message.id, conversationId: message.conversationId, chatbotId, rating })
      .onConflictDoUpdate({ target: messageFeedback.messageId, set: { rating, createdAt: new Date() } });
  }

  /** Ratings by message id, for the given conversations. */
  async feedbackOf(conversationIds: readonly string[]): Promise<Map<string, Rating>> {
    if (conversationIds.length === 0) return new Map();
    const rows = await this.db
      .select({ messageId: messageFeedback.messageId, rating: messageFeedback.rating })
      .from(messageFeedback)
      .where(inArray(messageFeedback.conversationId, [...conversationIds]));
    return new Map(rows.map((row) => [row.messageId, row.rating]));
  }
}
