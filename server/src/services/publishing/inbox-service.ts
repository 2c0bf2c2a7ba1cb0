import { and, desc, eq, exists, gte, ilike, isNotNull, lt, or, sql } from 'drizzle-orm';
import type { AnalyticsDay, InboxConversationDetail, InboxPage, PublicationAnalytics } from '@app/common';
import type { Db } from '../../db/database.js';
import { conversations, messageFeedback, messages } from '../../db/schema.js';
import { containsPattern } from '../../db/repositories/conversation-repository.js';
import { AppError, notFound } from '../../errors.js';
import type { ChatbotService } from '../chatbot-service.js';
import type { ConversationService } from '../conversation-service.js';
import type { ModelPrice } from '../limits/index.js';
import { pricedCost } from './bot-spend.js';
import { VisitorRepository } from './visitor-repository.js';

const PAGE_SIZE = 30;
const FIRST_QUESTION_CHARS = 200;
const TOP_QUESTIONS = 10;

/**
 * The owner's view of a published bot: its visitors' conversations (read-only, searchable, newest
 * first, with their thumbs) and per-day figures. Owner-checked: another user's bot is a 404.
 */
export class InboxService {
  private readonly visitors: VisitorRepository;

  constructor(
    private readonly db: Db,
    private readonly chatbots: Pick<ChatbotService, 'getRow'>,
    private readonly conversations: Pick<ConversationService, 'get'>,
    private readonly priceOf: (model: string) => ModelPrice | undefined,
  ) {
    this.visitors = new VisitorRepository(db);
  }

  async inbox(
    userId: string,
    chatbotId: string,
    query: string | null,
    before: string | null,
  ): Promise<InboxPage> {
    await this.chatbots.getRow(userId, chatbotId);
    const cursor = before ? decodeCursor(before) : null;
    const firstQuestion = sql<string | null>`(
      select left(m.content, ${FIRST_QUESTION_CHARS}) from ${messages} m
      where m.conversation_id = "conversations"."id" and m.role = 'user'
      order by m.created_at, m.id limit 1)`;
    const messageCount = sql<number>`(select count(*)::int from ${messages} m where m.conversation_id = "conversations"."id")`;
    const up = sql<number>`(select count(*)::int from ${messageFeedback} f where f.conversation_id = "conversations"."id" and f.rating = 'up')`;
    const down = sql<number>`(select count(*)::int from ${messageFeedback} f where f.conversation_id = "conversations"."id" and f.rating = 'down')`;
    const pattern = query ? containsPattern(query) : null;
    const rows = await this.db
      .select({
        id: conversations.id,
        title: conversations.title,
        updatedAt: conversations.updatedAt,
        firstQuestion,
        messageCount,
        up,
        down,
      })
      .from(conversations)
      .where(
        and(
          eq(conversations.chatbotId, chatbotId),
          eq(conversations.userId, userId),
          isNotNull(conversations.visitorId),
          pattern
            ? or(
                ilike(conversations.title, pattern),
                exists(
                  this.db
                    .select({ one: sql`1` })
                    .from(messages)
                    .where(
                      and(eq(messages.conversationId, conversations.id), ilike(messages.content, pattern)),
                    ),
                ),
              )
            : undefined,
          cursor
            ? or(
                lt(conversations.updatedAt, cursor.updatedAt),
                and(eq(conversations.updatedAt, cursor.updatedAt), lt(conversations.id, cursor.id)),
              )
            : undefined,
        ),
      )
      .orderBy(desc(conversations.updatedAt), desc(conversations.id))
      .limit(PAGE_SIZE + 1);
    const page = rows.slice(0, PAGE_SIZE);
    const last = page.at(-1);
    return {
      conversations: page.map((row) => ({
        id: row.id,
        title: row.title,
        firstQuestion: row.firstQuestion ?? '',
        messageCount: Number(row.messageCount),
        updatedAt: row.updatedAt.toISOString(),
        feedback: { up: Number(row.up), down: Number(row.down) },
      })),
      next: rows.length > PAGE_SIZE && last ? encodeCursor(last) : null,
    };
  }

  async conversation(
    userId: string,
    chatbotId: string,
    conversationId: string,
  ): Promise<InboxConversationDetail> {
    await this.chatbots.getRow(userId, chatbotId);
    const rows = await this.db
      .select({ id: conversations.id })
      .from(conversations)
      .where(
        and(
          eq(conversations.id, conversationId),
          eq(conversations.chatbotId, chatbotId),
          eq(conversations.userId, userId),
          isNotNull(conversations.visitorId),
        ),
      )
      .limit(1);
    if (!rows[0]) throw notFound('Conversation');
    const [read, feedback] = await Promise.all([
      this.conversations.get(userId, conversationId),
      this.visitors.feedbackOf([conversationId]),
    ]);
    return {
      id: read.id,
      title: read.title,
      updatedAt: read.updatedAt,
      messages: read.messages.map((message) => ({ ...message, feedback: feedback.get(message.id) ?? null })),
    };
  }

  /** The last `days` days (UTC, today included), every day listed (zeros too). */
  async analytics(
    userId: string,
    chatbotId: string,
    days: number,
    now = new Date(),
  ): Promise<PublicationAnalytics> {
    await this.chatbots.getRow(userId, chatbotId);
    const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1)));
    const day = sql<string>`to_char(${messages.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;
    const visitorMessages = and(
      eq(conversations.chatbotId, chatbotId),
      eq(conversations.userId, userId),
      isNotNull(conversations.visitorId),
      gte(messages.createdAt, start),
    );
    const [perDay, newConversations, firstQuestions] = await Promise.all([
      this.db
        .select({
          day,
          model: messages.model,
          messages: sql<number>`count(*) filter (where ${messages.role} = 'user')::int`,
          tokens: sql<
            string | number
          >`coalesce(sum(coalesce(${messages.promptTokens}, 0)::bigint + coalesce(${messages.completionTokens}, 0)), 0)`,
          reported: sql<string | number | null>`sum(${messages.costUsd})`,
          promptTokens: sql<
            string | number | null
          >`sum(${messages.promptTokens}) filter (where ${messages.costUsd} is null)`,
          completionTokens: sql<
            string | number | null
          >`sum(${messages.completionTokens}) filter (where ${messages.costUsd} is null)`,
        })
        .from(messages)
        .innerJoin(conversations, eq(conversations.id, messages.conversationId))
        .where(visitorMessages)
        .groupBy(day, messages.model),
      this.db
        .select({
          day: sql<string>`to_char(${conversations.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`,
          count: sql<number>`count(*)::int`,
        })
        .from(conversations)
        .where(
          and(
            eq(conversations.chatbotId, chatbotId),
            eq(conversations.userId, userId),
            isNotNull(conversations.visitorId),
            gte(conversations.createdAt, start),
          ),
        )
        .groupBy(sql`1`),
      this.db
        .select({
          text: sql<string>`min(first.content)`,
          count: sql<number>`count(*)::int`,
        })
        .from(
          sql`(select distinct on (m.conversation_id) left(trim(m.content), ${FIRST_QUESTION_CHARS}) as content
               from ${messages} m join ${conversations} c on c.id = m.conversation_id
               where c.chatbot_id = ${chatbotId} and c.user_id = ${userId} and c.visitor_id is not null
                 and m.role = 'user' and c.created_at >= ${start.toISOString()}
               order by m.conversation_id, m.created_at, m.id) as first`,
        )
        .groupBy(sql`lower(first.content)`)
        .orderBy(sql`count(*) desc`, sql`min(first.content)`)
        .limit(TOP_QUESTIONS),
    ]);
    // Per day and model (a cost without the upstream's figure is priced from the catalog, as charged).
    const byDay = new Map<string, { messages: number; tokens: number; costUsd: number }>();
    for (const row of perDay) {
      const total = byDay.get(row.day) ?? { messages: 0, tokens: 0, costUsd: 0 };
      total.messages += Number(row.messages);
      total.tokens += Number(row.tokens);
      total.costUsd += pricedCost(row, row.model ? this.priceOf(row.model) : undefined);
      byDay.set(row.day, total);
    }
    const conversationsByDay = new Map(newConversations.map((row) => [row.day, Number(row.count)]));
    const list: AnalyticsDay[] = [];
    for (let index = 0; index < days; index += 1) {
      const date = new Date(start.getTime() + index * 86_400_000).toISOString().slice(0, 10);
      const row = byDay.get(date);
      list.push({
        date,
        conversations: conversationsByDay.get(date) ?? 0,
        messages: row?.messages ?? 0,
        tokens: row?.tokens ?? 0,
        costUsd: row?.costUsd ?? 0,
      });
    }
    return {
      days: list,
      topFirstQuestions: firstQuestions.map((row) => ({ text: row.text, count: Number(row.count) })),
    };
  }
}

/** The analytics days as CSV (one header line; a spreadsheet opens it as is). */
export function analyticsCsv(analytics: PublicationAnalytics): string {
  const lines = ['date,conversations,messages,tokens,cost_usd'];
  for (const day of analytics.days) {
    lines.push(`${day.date},${day.conversations},${day.messages},${day.tokens},${day.costUsd.toFixed(6)}`);
  }
  return `${lines.join('\n')}\n`;
}

function encodeCursor(row: { updatedAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify([row.updatedAt.toISOString(), row.id])).toString('base64url');
}

function decodeCursor(cursor: string): { updatedAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const updatedAt = new Date(at);
    if (typeof id !== 'string' || Number.isNaN(updatedAt.getTime())) throw new Error('bad cursor');
    return { updatedAt, id };
  } catch {
    throw new AppError('validation_failed', 'before: not a valid cursor', { details: { field: 'before' } });
  }
}
