import {
  boolean,
  customType,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { Appearance, VisitorLimits } from '@app/common';
import { chatbots, conversations, messages, user } from '../schema.js';

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/**
 * Issue 22: how a chatbot is published to visitors without an account (docs/publishing.md). One row
 * per chatbot once its owner saved the settings; no row = off. `user_id` is the owner (denormalised
 * from chatbots, so the plan check of a public request needs no join).
 */
export const chatbotPublications = pgTable(
  'chatbot_publications',
  {
    chatbotId: text('chatbot_id')
      .primaryKey()
      .references(() => chatbots.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    mode: text('mode', { enum: ['off', 'link', 'widget'] }).notNull(),
    /** Unique across the instance (the public address /c/<slug>). */
    slug: text('slug').notNull(),
    greeting: text('greeting').notNull().default(''),
    suggestions: jsonb('suggestions').$type<string[]>().notNull().default([]),
    appearance: jsonb('appearance').$type<Omit<Appearance, 'avatarUrl'>>().notNull(),
    allowedOrigins: jsonb('allowed_origins').$type<string[]>().notNull().default([]),
    limits: jsonb('limits').$type<VisitorLimits>().notNull(),
    inGallery: boolean('in_gallery').notNull().default(false),
    /** File name of the avatar in publication_avatars (content hash + extension), or null. */
    avatarFile: text('avatar_file'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('chatbot_publications_slug_idx').on(table.slug),
    index('chatbot_publications_user_idx').on(table.userId),
  ],
);

/**
 * Avatar images, in the database rather than under the data dir: several instances share the
 * database but not a disk (docker-compose.scale.yml), backups stay one dump, and an image is at
 * most 256 KB. Named by the SHA-256 of the bytes, so a URL never changes meaning (immutable cache).
 */
export const publicationAvatars = pgTable('publication_avatars', {
  file: text('file').primaryKey(),
  chatbotId: text('chatbot_id')
    .notNull()
    .references(() => chatbots.id, { onDelete: 'cascade' }),
  contentType: text('content_type').notNull(),
  data: bytea('data').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** A visitor's thumbs up/down on an answer: one per answer (the visitor who asked). */
export const messageFeedback = pgTable(
  'message_feedback',
  {
    messageId: text('message_id')
      .primaryKey()
      .references(() => messages.id, { onDelete: 'cascade' }),
    conversationId: text('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    chatbotId: text('chatbot_id')
      .notNull()
      .references(() => chatbots.id, { onDelete: 'cascade' }),
    rating: text('rating', { enum: ['up', 'down'] }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('message_feedback_conversation_idx').on(table.conversationId)],
);
