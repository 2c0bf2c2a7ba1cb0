import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { user } from '../schema.js';

/**
 * Issue 25: invites for SIGNUP=invite (services/invites/invite-service.ts). The code itself is shown
 * once, in the link, and only its SHA-256 is kept: a leaked table lets nobody sign up. An invite is
 * single-use: the sign-up claims it with one conditional UPDATE (used_at IS NULL), so two sign-ups
 * racing for one invite cannot both get it.
 */
export const invites = pgTable(
  'invites',
  {
    id: text('id').primaryKey(),
    codeHash: text('code_hash').notNull().unique(),
    /** When set, only this address may use the invite (compared lower-cased). */
    email: text('email'),
    createdBy: text('created_by').references(() => user.id, { onDelete: 'set null' }),
    /** The creating admin's email, or "admin CLI". */
    createdByLabel: text('created_by_label').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Null: never expires. */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    usedAt: timestamp('used_at', { withTimezone: true }),
    /** The address that used it (set by the claim, before the account row exists). */
    usedEmail: text('used_email'),
    usedBy: text('used_by').references(() => user.id, { onDelete: 'set null' }),
  },
  (table) => [index('invites_created_idx').on(table.createdAt)],
);

/**
 * The instance's first account, which became its administrator. One row at most (the primary key is
 * a constant), so of two first sign-ups racing each other exactly one gets it.
 */
export const firstAccount = pgTable('first_account', {
  slot: text('slot', { enum: ['first'] })
    .primaryKey()
    .default('first'),
  userId: text('user_id')
    .notNull()
    .unique()
    .references(() => user.id, { onDelete: 'cascade' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
