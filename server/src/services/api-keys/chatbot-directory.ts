import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import { chatbots } from '../../db/schema.js';
import { notFound } from '../../errors.js';
import { ReadThroughCache } from '../cache/read-through-cache.js';
import { slugTable, type SlugTarget } from './chatbot-slugs.js';

export interface ApiChatbot {
  id: string;
  slug: string;
  name: string;
  createdAt: Date;
}

/**
 * The chatbots a key may call, by slug, from memory: one owner's list is read once per 30 s (and
 * again when a slug is not found, so a chatbot made a moment ago is found at once).
 */
export class ChatbotDirectory {
  private readonly lists = new ReadThroughCache<Map<string, SlugTarget>>({ max: 10_000, ttlMs: 30_000 });

  constructor(private readonly db: Db) {}

  /** The key's chatbots with their slugs, oldest first. */
  async list(userId: string, scope: readonly string[] | null): Promise<ApiChatbot[]> {
    const table = await this.table(userId);
    return [...table.entries()]
      .filter(([, bot]) => inScope(scope, bot.id))
      .map(([slug, bot]) => ({ id: bot.id, slug, name: bot.name, createdAt: bot.createdAt }));
  }

  /** The chatbot named by `model` (slug or id) in the key's scope; 404 otherwise. */
  async resolve(userId: string, scope: readonly string[] | null, model: string): Promise<ApiChatbot> {
    let found = find(await this.table(userId), model);
    if (!found) {
      this.lists.forget(userId);
      found = find(await this.table(userId), model);
    }
    if (!found || !inScope(scope, found.id)) throw notFound('Chatbot');
    return found;
  }

  private table(userId: string): Promise<Map<string, SlugTarget>> {
    return this.lists.get(userId, async () =>
      slugTable(
        await this.db
          .select({ id: chatbots.id, name: chatbots.name, createdAt: chatbots.createdAt })
          .from(chatbots)
          .where(eq(chatbots.userId, userId))
          .orderBy(asc(chatbots.createdAt)),
      ),
    );
  }
}

function find(table: Map<string, SlugTarget>, model: string): ApiChatbot | null {
  const bySlug = table.get(model);
  if (bySlug) return { ...bySlug, slug: model };
  for (const [slug, bot] of table) if (bot.id === model) return { ...bot, slug };
  return null;
}

function inScope(scope: readonly string[] | null, chatbotId: string): boolean {
  return scope === null || scope.includes(chatbotId);
}
