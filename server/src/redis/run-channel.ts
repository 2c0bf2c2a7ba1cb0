import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { LiveRun, RunEnd } from '../services/runs/live-run.js';
import type { RelayMessage, RunRelay, RunSnapshot, TurnAnnouncement } from '../services/runs/run-relay.js';

/** A live run's shared state outlives a silent instance this long (refreshed every append and 10 s). */
const LIVE_TTL_MS = 30_000;
/** An ended run's state (with its end) is kept this long for viewers that arrive just after. */
const ENDED_TTL_MS = 30_000;

/** Keys of a conversation's latest run, in one hash slot (`{…}`): a Redis Cluster runs the scripts. */
function keysOf(conversationId: string) {
  return {
    state: `run:{${conversationId}}:state`,
    text: `run:{${conversationId}}:text`,
    channel: `run:{${conversationId}}`,
  };
}

// KEYS: state, text. The state hash: id, meta (JSON), instance, user, seq (UTF-16 length), end (JSON).
const BEGIN = `
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'meta', ARGV[2], 'instance', ARGV[3], 'user', ARGV[4], 'seq', '0')
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PUBLISH', ARGV[6], ARGV[7])
return 1`;

// Appends only where the shared text stands, so it never has a hole: 0 asks for a reset.
const APPEND = `
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'seq') ~= ARGV[2] then
  return 0
end
redis.call('APPEND', KEYS[2], ARGV[4])
redis.call('HSET', KEYS[1], 'seq', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
redis.call('PUBLISH', ARGV[6], ARGV[7])
return 1`;

const RESET = `
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'meta', ARGV[2], 'instance', ARGV[3], 'user', ARGV[4], 'seq', ARGV[5])
redis.call('HDEL', KEYS[1], 'end')
redis.call('SET', KEYS[2], ARGV[6], 'PX', ARGV[7])
redis.call('PEXPIRE', KEYS[1], ARGV[7])
return 1`;

const KEEP_ALIVE = `
if redis.call('HGET', KEYS[1], 'id') == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
return 1`;

const END = `
if redis.call('HGET', KEYS[1], 'id') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'end', ARGV[2], 'seq', ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
redis.call('PUBLISH', ARGV[5], ARGV[6])
return 1`;

const SNAPSHOT = `
local state = redis.call('HMGET', KEYS[1], 'id', 'meta', 'instance', 'user', 'end')
return {state[1], state[2], state[3], state[4], state[5], redis.call('GET', KEYS[2])}`;

type Reply = Array<string | null>;
type RunScripts = {
  runBegin(...args: Array<string | number>): Promise<number>;
  runAppend(...args: Array<string | number>): Promise<number>;
  runReset(...args: Array<string | number>): Promise<number>;
  runKeepAlive(...args: Array<string | number>): Promise<number>;
  runEnd(...args: Array<string | number>): Promise<number>;
  runSnapshot(...args: Array<string | number>): Promise<Reply>;
};

function withScripts(client: Redis): Redis & RunScripts {
  const scripts = {
    runBegin: BEGIN,
    runAppend: APPEND,
    runReset: RESET,
    runKeepAlive: KEEP_ALIVE,
    runEnd: END,
    runSnapshot: SNAPSHOT,
  };
  for (const [name, lua] of Object.entries(scripts)) {
    if (!(name in client)) client.defineCommand(name, { numberOfKeys: 2, lua });
  }
  return client as Redis & RunScripts;
}

/**
 * Runs across instances over Redis (decision 0008): per conversation, the latest run's state (a
 * hash: ids, owner, instance, seq, end) and its text so far (a string the owning instance APPENDs
 * to), and a pub/sub channel with every change (`turn`, coalesced `delta` pieces with their offset,
 * `end`). Each change is one script: the state and the message move together, and an append lands
 * only where the text stands, so the shared text never has a hole. A viewer elsewhere subscribes,
 * reads the snapshot, then applies each piece at its offset.
 */
export function createRunChannel(client: Redis): RunRelay {
  const instanceId = randomUUID();
  const redis = withScripts(client);
  const subscriber = client.duplicate({
    connectionName: `${client.options.connectionName ?? 'chatbot-builder'}-runs`,
  });
  subscriber.on('error', () => {}); // the main client logs Redis outages (throttled)
  const handlers = new Map<string, Set<(message: RelayMessage) => void>>();
  const resubscribed: Array<() => void> = [];
  let everReady = false;
  subscriber.on('ready', () => {
    if (everReady) for (const listener of resubscribed) listener();
    everReady = true;
  });
  subscriber.on('message', (channel: string, raw: string) => {
    const set = handlers.get(channel);
    if (!set) return;
    let message: RelayMessage;
    try {
      message = JSON.parse(raw) as RelayMessage;
    } catch {
      return;
    }
    for (const handler of [...set]) handler(message);
  });

  const publishable = (message: RelayMessage) => JSON.stringify(message);

  return {
    instanceId,

    async begin(run: LiveRun, announcement: TurnAnnouncement) {
      const keys = keysOf(run.conversationId);
      await redis.runBegin(
        keys.state,
        keys.text,
        run.assistantMessageId,
        JSON.stringify(run.meta),
        instanceId,
        run.userId,
        LIVE_TTL_MS,
        keys.channel,
        publishable({ kind: 'turn', instanceId, userId: run.userId, meta: run.meta, announcement }),
      );
    },

    async append(run: LiveRun, start: number, text: string) {
      const keys = keysOf(run.conversationId);
      const message = publishable({
        kind: 'delta',
        instanceId,
        assistantMessageId: run.assistantMessageId,
        start,
        text,
      });
      const appended = await redis.runAppend(
        keys.state,
        keys.text,
        run.assistantMessageId,
        String(start),
        String(start + text.length),
        text,
        LIVE_TTL_MS,
        keys.channel,
        message,
      );
      return appended === 1;
    },

    async reset(run: LiveRun, text: string) {
      const keys = keysOf(run.conversationId);
      await redis.runReset(
        keys.state,
        keys.text,
        run.assistantMessageId,
        JSON.stringify(run.meta),
        instanceId,
        run.userId,
        String(text.length),
        text,
        LIVE_TTL_MS,
      );
    },

    async keepAlive(runs: readonly LiveRun[]) {
      const pipeline = redis.pipeline();
      for (const run of runs) {
        const keys = keysOf(run.conversationId);
        (pipeline as unknown as RunScripts).runKeepAlive(
          keys.state,
          keys.text,
          run.assistantMessageId,
          LIVE_TTL_MS,
        );
      }
      await pipeline.exec();
    },

    async end(run: LiveRun, end: RunEnd) {
      const keys = keysOf(run.conversationId);
      await redis.runEnd(
        keys.state,
        keys.text,
        run.assistantMessageId,
        JSON.stringify(end),
        String(run.seq),
        ENDED_TTL_MS,
        keys.channel,
        publishable({
          kind: 'end',
          instanceId,
          assistantMessageId: run.assistantMessageId,
          seq: run.seq,
          end,
        }),
      );
    },

    async follow(conversationId: string, onMessage: (message: RelayMessage) => void) {
      const { channel } = keysOf(conversationId);
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
      }
      set.add(onMessage);
      if (set.size === 1) {
        try {
          await subscriber.subscribe(channel);
        } catch (error) {
          set.delete(onMessage);
          if (handlers.get(channel)?.size === 0) handlers.delete(channel);
          throw error;
        }
      }
      return () => {
        const current = handlers.get(channel);
        if (!current?.delete(onMessage) || current.size > 0) return;
        handlers.delete(channel);
        void subscriber.unsubscribe(channel).catch(() => {});
      };
    },

    async snapshot(conversationId: string): Promise<RunSnapshot | null> {
      const keys = keysOf(conversationId);
      const [id, meta, instance, user, end, text] = await redis.runSnapshot(keys.state, keys.text);
      if (!id || !meta || !instance || !user) return null;
      return {
        instanceId: instance,
        userId: user,
        meta: JSON.parse(meta) as RunSnapshot['meta'],
        text: text ?? '',
        end: end ? (JSON.parse(end) as RunEnd) : null,
      };
    },

    onResubscribed(listener: () => void) {
      resubscribed.push(listener);
    },

    async close() {
      handlers.clear();
      subscriber.disconnect();
    },
  };
}
