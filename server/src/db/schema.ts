import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  boolean,
  doublePrecision,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

// ── better-auth tables (names and columns as its Drizzle adapter expects) ──────────────────────
export const user = pgTable('user', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email').notNull().unique(),
  emailVerified: boolean('email_verified').notNull().default(false),
  image: text('image'),
  role: text('role', { enum: ['user', 'admin'] })
    .notNull()
    .default('user'),
  /** Set by an administrator: no sign-in, sessions revoked (services/admin/admin-users-service.ts). */
  disabledAt: timestamp('disabled_at', { withTimezone: true }),
  ...timestamps,
});

export const session = pgTable(
  'session',
  {
    id: text('id').primaryKey(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    token: text('token').notNull().unique(),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    userId: text('user_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    ...timestamps,
  },
  (table) => [index('session_user_id_idx').on(table.userId)],
);

export const account = pgTable(
  'account',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull(),
    providerId: text('provider_id').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    accessToken: text('access_token'),
    refreshToken: text('refresh_token'),
    idToken: text('id_token'),
    accessTokenExpiresAt: timestamp('access_token_expires_at', { withTimezone: true }),
    refreshTokenExpiresAt: timestamp('refresh_token_expires_at', { withTimezone: true }),
    scope: text('scope'),
    password: text('password'),
    ...timestamps,
  },
  (table) => [index('account_user_id_idx').on(table.userId)],
);

export const verification = pgTable('verification', {
  id: text('id').primaryKey(),
  identifier: text('identifier').notNull(),
  value: text('value').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  ...timestamps,
});

// ── product tables ─────────────────────────────────────────────────────────────────────────────
export const subscriptions = pgTable(
  'subscriptions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    plan: text('plan').notNull(),
    status: text('status', { enum: ['active', 'canceled', 'past_due'] }).notNull(),
    currentPeriodEnd: timestamp('current_period_end', { withTimezone: true }),
    ...timestamps,
  },
  (table) => [uniqueIndex('subscriptions_user_id_idx').on(table.userId)],
);

export const chatbots = pgTable(
  'chatbots',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    systemPrompt: text('system_prompt').notNull().default(''),
    model: text('model').notNull(),
    temperature: doublePrecision('temperature').notNull(),
    maxTokens: integer('max_tokens').notNull(),
    /** low | medium | high; null: the model's default (checked against the model by ChatbotService). */
    reasoningEffort: text('reasoning_effort', { enum: ['low', 'medium', 'high'] }),
    ...timestamps,
  },
  (table) => [index('chatbots_user_id_idx').on(table.userId, table.createdAt)],
);

export const conversations = pgTable(
  'conversations',
  {
    id: text('id').primaryKey(),
    chatbotId: text('chatbot_id')
      .notNull()
      .references(() => chatbots.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    /** The leaf of the branch shown and continued (decision 0009); no FK: never a cycle of cascades. */
    activeMessageId: text('active_message_id'),
    /** `api`: stored from /v1/chat/completions on request (X-Chatbot-Store: true). */
    source: text('source', { enum: ['app', 'api'] })
      .notNull()
      .default('app'),
    /** A published bot's visitor (issue 22; user_id is then the bot's owner); null: the owner's own chat. */
    visitorId: text('visitor_id'),
    ...timestamps,
  },
  (table) => [
    index('conversations_chatbot_idx').on(table.chatbotId, table.updatedAt),
    index('conversations_visitor_idx').on(table.chatbotId, table.visitorId, table.updatedAt),
  ],
);

export const messages = pgTable(
  'messages',
  {
    id: text('id').primaryKey(),
    conversationId: text('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    /** The message this one follows (null: the first); siblings are versions (decision 0009). */
    parentId: text('parent_id').references((): AnyPgColumn => messages.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['user', 'assistant'] }).notNull(),
    content: text('content').notNull(),
    status: text('status', { enum: ['complete', 'streaming', 'stopped', 'error', 'interrupted'] }).notNull(),
    errorCode: text('error_code'),
    /** The alias requested (the chatbot's model at the time). */
    model: text('model'),
    /** The deployment that actually answered (response `model`), for fallback visibility. */
    answeredBy: text('answered_by'),
    modelGroup: text('model_group'),
    attemptedFallbacks: integer('attempted_fallbacks'),
    upstreamRequestId: text('upstream_request_id'),
    finishReason: text('finish_reason'),
    promptTokens: integer('prompt_tokens'),
    completionTokens: integer('completion_tokens'),
    costUsd: doublePrecision('cost_usd'),
    latencyMs: integer('latency_ms'),
    ttftMs: integer('ttft_ms'),
    /** Bumped by every flush while streaming: a stale one means the writer died. */
    ...timestamps,
  },
  (table) => [
    index('messages_conversation_idx').on(table.conversationId, table.createdAt),
    index('messages_streaming_idx').on(table.status, table.updatedAt),
    index('messages_parent_idx').on(table.parentId),
    // One answer streaming per conversation, on every instance: the turn start claims it (23505 for
    // a second one). A dead writer's row is freed by the recovery job (`interrupted`).
    uniqueIndex('messages_one_streaming_idx')
      .on(table.conversationId)
      .where(sql`${table.status} = 'streaming'`),
  ],
);

/**
 * One row per finished LLM call: the usage and budget ledger. Kept apart from messages so deleting a
 * conversation never erases what was spent.
 */
export const usageRecords = pgTable(
  'usage_records',
  {
    id: text('id').primaryKey(),
    /**
     * Null once the account is deleted: the row stays (anonymised) so an operator's totals do not
     * change when a user leaves.
     */
    userId: text('user_id').references(() => user.id, { onDelete: 'set null' }),
    chatbotId: text('chatbot_id'),
    kind: text('kind', { enum: ['chat', 'prompt'] }).notNull(),
    model: text('model').notNull(),
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
    /** What the budget counted: the upstream's reported cost, else catalog price × tokens. */
    costUsd: doublePrecision('cost_usd').notNull().default(0),
    /** costUsd is catalog price × tokens, not a cost the upstream reported. */
    costEstimated: boolean('cost_estimated').notNull().default(false),
    /** The tokens were counted by us (o200k_base): the upstream reported none (a stopped or cut call). */
    tokensEstimated: boolean('tokens_estimated').notNull().default(false),
    /** The API key that made the call (/v1/chat/completions); null for the app's own calls. */
    apiKeyId: text('api_key_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('usage_records_user_idx').on(table.userId, table.createdAt),
    index('usage_records_api_key_idx').on(table.apiKeyId, table.createdAt),
  ],
);

/**
 * What administrators did to other accounts (the console and the admin CLI write the same rows). The
 * actor and target are kept by email too, so a row still reads after either account is deleted.
 */
export const adminAuditLog = pgTable(
  'admin_audit_log',
  {
    id: text('id').primaryKey(),
    /** Null for the admin CLI, or once the acting admin's account is deleted. */
    actorUserId: text('actor_user_id').references(() => user.id, { onDelete: 'set null' }),
    /** The acting admin's email, or "admin CLI". */
    actor: text('actor').notNull(),
    targetUserId: text('target_user_id').references(() => user.id, { onDelete: 'set null' }),
    targetEmail: text('target_email').notNull(),
    action: text('action', {
      enum: ['set_plan', 'set_role', 'disable', 'enable', 'invite_create', 'invite_revoke'],
    }).notNull(),
    fromValue: text('from_value'),
    toValue: text('to_value'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('admin_audit_log_created_idx').on(table.createdAt)],
);

export * from './tables/api-keys.js';
export * from './tables/publishing.js';
export * from './tables/invites.js';
