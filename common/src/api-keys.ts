import { z } from 'zod';
import { plainText } from './text.js';

/** Every secret starts with this: recognisable in a config file, a leak scanner or a log. */
export const API_KEY_PREFIX = 'cbk_';
export const API_KEY_NAME_MAX = 100;
export const API_KEY_MAX_CHATBOTS = 100;
export const API_KEY_RPM_MAX = 10_000;
export const API_KEY_SPEND_CAP_MAX_USD = 100_000;

/** POST /api/api-keys. `chatbotIds` null: every chatbot of the caller, also those made later. */
export const createApiKeyBody = z
  .object({
    name: plainText(
      z
        .string({ error: 'Name is required' })
        .trim()
        .min(1, 'Name is required')
        .max(API_KEY_NAME_MAX, `Name must be at most ${API_KEY_NAME_MAX} characters`),
    ),
    chatbotIds: z
      .array(z.string().min(1).max(100))
      .min(1, 'Choose at least one chatbot, or all of them')
      .max(API_KEY_MAX_CHATBOTS, `A key may name at most ${API_KEY_MAX_CHATBOTS} chatbots`)
      .nullable(),
    /** ISO date-time in the future; null: never expires. */
    expiresAt: z.iso
      .datetime({ offset: true, error: 'Expiry must be a date and time' })
      .nullable()
      .default(null),
    monthlySpendCapUsd: z
      .number({ error: 'Spend cap must be a number' })
      .positive('Spend cap must be more than 0')
      .max(API_KEY_SPEND_CAP_MAX_USD, `Spend cap must be at most $${API_KEY_SPEND_CAP_MAX_USD}`)
      .nullable()
      .default(null),
    requestsPerMinute: z
      .number({ error: 'Requests per minute must be a number' })
      .int('Requests per minute must be a whole number')
      .positive('Requests per minute must be at least 1')
      .max(API_KEY_RPM_MAX, `Requests per minute must be at most ${API_KEY_RPM_MAX}`)
      .nullable()
      .default(null),
  })
  .strict();
export type CreateApiKeyBody = z.input<typeof createApiKeyBody>;

/** A key as listed: never its secret. */
export interface ApiKey {
  id: string;
  name: string;
  /** The secret's first characters (`cbk_3fA9x2Lq`), to recognise it. */
  prefix: string;
  /** null: every chatbot. */
  chatbotIds: string[] | null;
  expiresAt: string | null;
  monthlySpendCapUsd: number | null;
  requestsPerMinute: number | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
  /** This calendar month (UTC): calls and cost made with the key. */
  usage: { requests: number; costUsd: number; promptTokens: number; completionTokens: number };
}

/** POST /api/api-keys answer: the only time the secret is ever sent. */
export interface CreatedApiKey {
  key: ApiKey;
  secret: string;
}

/** GET /api/api-keys. `allowed`/`maxKeys`: what the caller's plan permits (null: no limit). */
export interface ApiKeyList {
  keys: ApiKey[];
  allowed: boolean;
  maxKeys: number | null;
}

/** GET /api/api-keys/usage?month=YYYY-MM: one month's usage per key (only keys that were used). */
export interface ApiKeyUsage {
  id: string;
  name: string;
  prefix: string;
  revoked: boolean;
  requests: number;
  costUsd: number;
  promptTokens: number;
  completionTokens: number;
}
