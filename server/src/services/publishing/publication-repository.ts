import { and, count, desc, eq, ne } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import { chatbotPublications, chatbots, publicationAvatars } from '../../db/schema.js';

export type PublicationRow = typeof chatbotPublications.$inferSelect;
export type PublicationInsert = typeof chatbotPublications.$inferInsert;

/** A publication with what the public side needs of its chatbot (never its prompt or model). */
export interface PublishedBot extends PublicationRow {
  name: string;
  description: string;
}

/** Rows of chatbot_publications and publication_avatars. Ownership is checked by the callers. */
export class PublicationRepository {
  constructor(private readonly db: Db) {}

  async byChatbot(chatbotId: string): Promise<PublicationRow | null> {
    const rows = await this.db
      .select()
      .from(chatbotPublications)
      .where(eq(chatbotPublications.chatbotId, chatbotId))
      .limit(1);
    return rows[0] ?? null;
  }

  async bySlug(slug: string): Promise<PublishedBot | null> {
    const rows = await this.db
      .select({ publication: chatbotPublications, name: chatbots.name, description: chatbots.description })
      .from(chatbotPublications)
      .innerJoin(chatbots, eq(chatbots.id, chatbotPublications.chatbotId))
      .where(eq(chatbotPublications.slug, slug))
      .limit(1);
    const row = rows[0];
    return row ? { ...row.publication, name: row.name, description: row.description } : null;
  }

  /** The owner's bots that are published (mode other than off), this one excluded. */
  async countPublishedOthers(userId: string, chatbotId: string): Promise<number> {
    const rows = await this.db
      .select({ n: count() })
      .from(chatbotPublications)
      .where(
        and(
          eq(chatbotPublications.userId, userId),
          ne(chatbotPublications.mode, 'off'),
          ne(chatbotPublications.chatbotId, chatbotId),
        ),
      );
    return rows[0]?.n ?? 0;
  }

  async upsert(row: PublicationInsert): Promise<PublicationRow> {
    const { chatbotId: _id, createdAt: _created, ...changes } = row;
    const rows = await this.db
      .insert(chatbotPublications)
      .values(row)
      .onConflictDoUpdate({
        target: chatbotPublications.chatbotId,
        set: { ...changes, updatedAt: new Date() },
      })
      .returning();
    return rows[0]!;
  }

  async setAvatar(chatbotId: string, avatarFile: string | null): Promise<void> {
    await this.db
      .update(chatbotPublications)
      .set({ avatarFile, updatedAt: new Date() })
      .where(eq(chatbotPublications.chatbotId, chatbotId));
  }

  async saveAvatarImage(file: string, chatbotId: string, contentType: string, data: Buffer): Promise<void> {
    await this.db
      .insert(publicationAvatars)
      .values({ file, chatbotId, contentType, data })
      .onConflictDoNothing({ target: publicationAvatars.file });
  }

  /** Images of the chatbot other than `keep` (replaced or removed avatars). */
  async deleteAvatarImages(chatbotId: string, keep: string | null): Promise<void> {
    await this.db
      .delete(publicationAvatars)
      .where(
        keep
          ? and(eq(publicationAvatars.chatbotId, chatbotId), ne(publicationAvatars.file, keep))
          : eq(publicationAvatars.chatbotId, chatbotId),
      );
  }

  async avatarImage(file: string): Promise<{ contentType: string; data: Buffer } | null> {
    const rows = await this.db
      .select({ contentType: publicationAvatars.contentType, data: publicationAvatars.data })
      .from(publicationAvatars)
      .where(eq(publicationAvatars.file, file))
      .limit(1);
    return rows[0] ?? null;
  }

  /** Gallery candidates, newest first (the caller drops those whose owner may not publish). */
  async galleryCandidates(limit: number): Promise<PublishedBot[]> {
    const rows = await this.db
      .select({ publication: chatbotPublications, name: chatbots.name, description: chatbots.description })
      .from(chatbotPublications)
      .innerJoin(chatbots, eq(chatbots.id, chatbotPublications.chatbotId))
      .where(and(eq(chatbotPublications.inGallery, true), ne(chatbotPublications.mode, 'off')))
      .orderBy(desc(chatbotPublications.updatedAt))
      .limit(limit);
    return rows.map((row) => ({ ...row.publication, name: row.name, description: row.description }));
  }
}
