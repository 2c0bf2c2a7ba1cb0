import { asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import { chatbots, conversations, messages, usageRecords, user } from '../../db/schema.js';
import { AppError } from '../../errors.js';

/** Everything the app keeps about one user, as they may download it (GET /api/account/export). */
export interface AccountExport {
  exportedAt: string;
  profile: { id: string; name: string; email: string; role: string; plan: string | null; createdAt: string };
  chatbots: Array<Record<string, unknown>>;
  conversations: Array<Record<string, unknown> & { messages: Array<Record<string, unknown>> }>;
  usage: Array<Record<string, unknown>>;
}

/** Reads one user's data, owner-scoped: every query is filtered on the caller's id. */
export class AccountExportService {
  constructor(
    private readonly db: Db,
    private readonly planOf: (userId: string) => Promise<string | null>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async export(userId: string): Promise<AccountExport> {
    const [profile] = await this.db
      .select({
        id: user.id,
        name: user.name,
        email: user.email,
        role: user.role,
        createdAt: user.createdAt,
      })
      .from(user)
      .where(eq(user.id, userId))
      .limit(1);
    if (!profile) throw new AppError('not_found', 'Account not found');
    const bots = await this.db
      .select()
      .from(chatbots)
      .where(eq(chatbots.userId, userId))
      .orderBy(asc(chatbots.createdAt));
    const threads = await this.db
      .select()
      .from(conversations)
      .where(eq(conversations.userId, userId))
      .orderBy(asc(conversations.createdAt));
    const threadIds = threads.map((thread) => thread.id);
    const lines =
      threadIds.length === 0
        ? []
        : await this.db
            .select()
            .from(messages)
            .where(inArray(messages.conversationId, threadIds))
            .orderBy(asc(messages.createdAt));
    const usage = await this.db
      .select()
      .from(usageRecords)
      .where(eq(usageRecords.userId, userId))
      .orderBy(asc(usageRecords.createdAt));
    const byThread = new Map<string, Array<Record<string, unknown>>>();
    for (const { conversationId, ...line } of lines) {
      const list = byThread.get(conversationId) ?? [];
      list.push(line);
      byThread.set(conversationId, list);
    }
    return {
      exportedAt: this.now().toISOString(),
      profile: {
        ...profile,
        createdAt: profile.createdAt.toISOString(),
        plan: await this.planOf(userId),
      },
      chatbots: bots.map(({ userId: _owner, ...bot }) => bot),
      conversations: threads.map(({ userId: _owner, ...thread }) => ({
        ...thread,
        messages: byThread.get(thread.id) ?? [],
      })),
      usage: usage.map(({ userId: _owner, ...record }) => record),
    };
  }
}
