import type { Redis } from 'ioredis';
import type { RedisLogger } from './create-redis.js';
import { openPubSubChannel } from './pubsub-channel.js';

const CHANNEL = 'cache:invalidate';

/**
 * Something an instance keeps in memory changed: every instance drops its copy. `user`: a user's
 * sessions, role or profile changed (sign-out, password change, role change…): every cached
 * session of that user is looked up again.
 */
export type Invalidation =
  | { kind: 'chatbot'; chatbotId: string }
  | { kind: 'plan'; userId: string }
  | { kind: 'user'; userId: string }
  /** An API key was revoked: every instance drops its verified copy (services/api-keys). */
  | { kind: 'api_key'; keyId: string };

export interface InvalidationHandlers {
  onInvalidation(invalidation: Invalidation): void;
  /**
   * The subscription was lost and is back: announcements sent meanwhile were missed, so every
   * cached copy should go.
   */
  onResubscribed(): void;
}

export interface InvalidationChannel {
  publish(invalidation: Invalidation): Promise<void>;
  close(): Promise<void>;
}

/**
 * Cache invalidation across instances: the chatbot rows, plans and sessions each replica keeps in
 * memory are dropped everywhere when one replica (or the admin CLI) changes them. Messages are
 * `chatbot:<id>`, `plan:<userId>` and `user:<userId>` on one Redis pub/sub channel. Best effort: a message lost while Redis is
 * unreachable is covered by the caches' TTL, and by a full drop once the subscription is back.
 */
export function createInvalidationChannel(
  client: Redis,
  handlers: InvalidationHandlers,
  logger: RedisLogger,
): InvalidationChannel {
  const channel = openPubSubChannel(client, {
    channel: CHANNEL,
    connectionName: `${client.options.connectionName ?? 'chatbot-builder'}-invalidate`,
    onMessage: (message) => {
      const invalidation = decodeInvalidation(message);
      if (invalidation) handlers.onInvalidation(invalidation);
    },
    // Announcements sent while the subscription was down were missed: every cached copy goes.
    onResubscribed: () => handlers.onResubscribed(),
    onSubscribeFailed: (error) =>
      logger.warn(
        `invalidation channel: cannot subscribe (${error.message}); changes made on other instances apply within the cache TTL`,
      ),
  });
  return {
    publish: (invalidation) => channel.publish(encodeInvalidation(invalidation)),
    close: () => channel.close(),
  };
}

/** Announces a change to every instance (also used by the admin CLI, which keeps no cache). */
export async function publishInvalidation(client: Redis, invalidation: Invalidation): Promise<void> {
  await client.publish(CHANNEL, encodeInvalidation(invalidation));
}

export function encodeInvalidation(invalidation: Invalidation): string {
  if (invalidation.kind === 'api_key') return `api_key:${invalidation.keyId}`;
  return invalidation.kind === 'chatbot'
    ? `chatbot:${invalidation.chatbotId}`
    : `${invalidation.kind}:${invalidation.userId}`;
}

export function decodeInvalidation(message: string): Invalidation | null {
  const colon = message.indexOf(':');
  const kind = message.slice(0, colon);
  const id = message.slice(colon + 1);
  if (colon < 1 || !id) return null;
  if (kind === 'chatbot') return { kind, chatbotId: id };
  if (kind === 'plan' || kind === 'user') return { kind, userId: id };
  if (kind === 'api_key') return { kind, keyId: id };
  return null;
}
