import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createInvalidationChannel,
  decodeInvalidation,
  encodeInvalidation,
  type Invalidation,
  type InvalidationChannel,
} from '../../src/redis/invalidation-channel.js';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const quiet = { info: () => {}, warn: () => {} };

describe('invalidation messages', () => {
  it('round-trips chatbot, plan and user invalidations, and ignores anything else', () => {
    const messages: Invalidation[] = [
      { kind: 'chatbot', chatbotId: 'bot-1' },
      { kind: 'plan', userId: 'user:with:colons' },
      { kind: 'user', userId: 'u-2' },
    ];
    for (const message of messages) expect(decodeInvalidation(encodeInvalidation(message))).toEqual(message);
    expect(encodeInvalidation({ kind: 'plan', userId: 'u1' })).toBe('plan:u1');
    expect(encodeInvalidation({ kind: 'user', userId: 'u1' })).toBe('user:u1');
    for (const junk of ['', 'chatbot:', ':x', 'role:u1', 'plan']) expect(decodeInvalidation(junk)).toBeNull();
  });
});

describe('invalidation channel over Redis', () => {
  const name = `invalidation-test-${crypto.randomUUID()}`;
  let client: Redis;
  let channel: InvalidationChannel;
  const received: Invalidation[] = [];
  let resubscribed = 0;

  beforeAll(() => {
    client = new Redis(redisUrl, { connectionName: name });
    channel = createInvalidationChannel(
      client,
      { onInvalidation: (message) => received.push(message), onResubscribed: () => resubscribed++ },
      quiet,
    );
  });
  afterAll(async () => {
    await channel.close();
    client.disconnect();
  });

  const delivered = async (message: Invalidation) => {
    await expect
      .poll(async () => {
        await channel.publish(message);
        return received.some((seen) => JSON.stringify(seen) === JSON.stringify(message));
      })
      .toBe(true);
  };

  it('delivers what is published, and drops everything after a lost subscription comes back', async () => {
    await delivered({ kind: 'chatbot', chatbotId: 'c1' });
    expect(resubscribed).toBe(0);

    // Redis drops the subscriber connection (restart, failover, network): messages may be missed.
    const clients = (await client.client('LIST')) as string;
    const subscriberId = clients
      .split('\n')
      .find((line) => line.includes(`name=${name}-invalidate `))
      ?.match(/^id=(\d+)/)?.[1];
    expect(subscriberId).toBeDefined();
    await client.client('KILL', 'ID', subscriberId!);

    await expect.poll(() => resubscribed, { timeout: 5_000 }).toBe(1);
    await delivered({ kind: 'plan', userId: 'u2' });
  });
});
