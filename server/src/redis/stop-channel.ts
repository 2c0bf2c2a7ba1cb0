import type { Redis } from 'ioredis';
import type { RedisLogger } from './create-redis.js';
import { openPubSubChannel, type PubSubChannel } from './pubsub-channel.js';

const CHANNEL = 'chat:stop';

/** `publish(messageId)` asks every instance to stop that answer (the caller checked ownership). */
export type StopChannel = PubSubChannel;

/**
 * Stop across instances: the Stop request may reach another replica than the one streaming the
 * answer. A Redis pub/sub channel carries the message id to all of them; the one that holds the
 * turn aborts it. Best effort: the client also closes its stream, which stops it on its own replica.
 */
export function createStopChannel(
  client: Redis,
  onStop: (messageId: string) => void,
  logger: RedisLogger,
): StopChannel {
  return openPubSubChannel(client, {
    channel: CHANNEL,
    connectionName: 'chatbot-builder-stop',
    onMessage: onStop,
    onSubscribeFailed: (error) =>
      logger.warn(`stop channel: cannot subscribe (${error.message}); Stop works on this instance only`),
  });
}
