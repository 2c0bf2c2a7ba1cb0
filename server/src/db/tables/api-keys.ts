import { doublePrecision, index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { user } from '../schema.js';

/**
 * API keys of the OpenAI-compatible endpoints (/v1/*): one row per key. Only the SHA-256 of the
 * secret is kept (`secret_hash`); `prefix` is the secret's first characters, shown in lists so a
 * key can be recognised (`cbk_3fA9…`). See docs/decisions/0011-api-keys.md.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** Hex SHA-256 of the whole secret: what a bearer token is looked up by. */
    secretHash: text('secret_hash').notNull(),
    /** The secret's first 12 characters (`cbk_` + 8), for lists and logs; never enough to use it. */
    prefix: text('prefix').notNull(),
    /** The chatbots the key may call; null: every chatbot of the owner (also those created later). */
    chatbotIds: text('chatbot_ids').array(),
    /** Null: the key never expires. */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    /** The key's own monthly spend cap (USD); null: only the owner's plan budget applies. */
    monthlySpendCapUsd: doublePrecision('monthly_spend_cap_usd'),
    /** The key's own requests per minute; null: only the owner's plan rate applies. */
    requestsPerMinute: integer('requests_per_minute'),
    /** Updated at most once a minute per key and instance (no write per request). */
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('api_keys_secret_hash_idx').on(table.secretHash),
    index('api_keys_user_idx').on(table.userId, table.createdAt),
  ],
);
