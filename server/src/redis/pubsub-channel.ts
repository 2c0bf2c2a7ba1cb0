import type { Redis } from 'ioredis';

export interface PubSubChannel {
  publish(message: string): Promise<void>;
  close(): Promise<void>;
}

export interface PubSubOptions {
  channel: string;
  /** Name of the subscriber connection (seen in Redis' CLIENT LIST). */
  connectionName: string;
  onMessage(message: string): void;
  /** The subscription was lost and is back: messages sent meanwhile were missed. */
  onResubscribed?(): void;
  onSubscribeFailed(error: Error): void;
}

/**
 * One Redis pub/sub channel between the app's instances: a subscriber connection of its own
 * (subscribed on every (re)connect, so a Redis restart is survived), publishing on the main client.
 * Best effort by nature: what is published while an instance is cut off never reaches it, which is
 * what `onResubscribed` is for. Outages are logged by the main client, not here.
 */
export function openPubSubChannel(client: Redis, options: PubSubOptions): PubSubChannel {
  const subscriber = client.duplicate({ connectionName: options.connectionName });
  subscriber.on('error', () => {}); // the main client logs Redis outages (throttled)
  subscriber.on('message', (_channel: string, message: string) => options.onMessage(message));
  let everSubscribed = false;
  subscriber.on('ready', () => {
    subscriber.subscribe(options.channel).then(() => {
      if (everSubscribed) options.onResubscribed?.();
      everSubscribed = true;
    }, options.onSubscribeFailed);
  });
  return {
    publish: async (message) => {
      await client.publish(options.channel, message);
    },
    close: async () => {
      subscriber.disconnect();
    },
  };
}
