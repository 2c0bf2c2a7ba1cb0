import type { ChatMetaEvent } from '@app/common';
import type { Db } from '../../src/db/database.js';
import type { TurnSink } from '../../src/services/chat/chat-types.js';
import { as, signUp, type TestApp } from '../helpers/build-test-app.js';

/** A sink that records what a turn emitted, in order. */
export class RecordingSink implements TurnSink {
  meta: ChatMetaEvent | null = null;
  readonly deltas: string[] = [];
  readonly order: string[] = [];
  /** Resolves at the first delta (tests stop or crash a turn mid-answer). */
  readonly firstDelta: Promise<void>;
  private resolveFirst!: () => void;

  constructor() {
    this.firstDelta = new Promise((resolve) => {
      this.resolveFirst = resolve;
    });
  }

  start(meta: ChatMetaEvent): void {
    this.meta = meta;
    this.order.push('start');
  }

  delta(text: string): boolean {
    this.deltas.push(text);
    this.order.push('delta');
    this.resolveFirst();
    return true;
  }

  drained(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Counts the database calls made through `db` (the chat path's writes must not scale with tokens).
 * The hot-path statements go to the driver by name (`db.$client.query`): those count as `execute`.
 */
export function countingDb(db: Db): { db: Db; counts: Record<string, number> } {
  const counts: Record<string, number> = { update: 0, execute: 0, insert: 0, transaction: 0 };
  const client = new Proxy(db.$client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property !== 'query' || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        counts.execute!++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const proxy = new Proxy(db, {
    get(target, property, receiver) {
      if (property === '$client') return client;
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof property === 'string' && property in counts && typeof value === 'function') {
        return (...args: unknown[]) => {
          counts[property]!++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return value;
    },
  });
  return { db: proxy, counts };
}

/** A user with a chatbot, made through the real API. */
export async function userWithChatbot(
  t: TestApp,
  email: string,
  chatbot: Record<string, unknown> = {},
): Promise<{ cookie: string; userId: string; chatbotId: string }> {
  const cookie = await signUp(t.app, email);
  const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: as(cookie) });
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/chatbots',
    headers: as(cookie),
    payload: { name: 'Helper', systemPrompt: 'You are helpful.', ...chatbot },
  });
  if (created.statusCode !== 201) throw new Error(`chatbot create failed: ${created.body}`);
  return { cookie, userId: me.json().id as string, chatbotId: created.json().id as string };
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
