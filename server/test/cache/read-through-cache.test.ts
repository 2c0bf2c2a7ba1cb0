import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { ReadThroughCache } from '../../src/services/cache/read-through-cache.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('ReadThroughCache', () => {
  it('loads once, then serves from memory until forgotten', async () => {
    const cache = new ReadThroughCache<string | null>({ max: 10, ttlMs: 60_000 });
    const load = vi.fn(async () => null);
    expect(await cache.get('a', load)).toBeNull();
    expect(await cache.get('a', load)).toBeNull();
    expect(load).toHaveBeenCalledTimes(1);
    cache.forget('a');
    await cache.get('a', load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('shares one load between concurrent misses of a key', async () => {
    const cache = new ReadThroughCache<number>({ max: 10, ttlMs: 60_000 });
    const pending = deferred<number>();
    const load = vi.fn(() => pending.promise);
    const both = Promise.all([cache.get('a', load), cache.get('a', load)]);
    pending.resolve(7);
    expect(await both).toEqual([7, 7]);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('does not keep a value whose load raced an invalidation (the old row cannot come back)', async () => {
    const cache = new ReadThroughCache<string>({ max: 10, ttlMs: 60_000 });
    const old = deferred<string>();
    const first = cache.get('a', () => old.promise);
    cache.forget('a'); // the write commits and is announced while the read is under way
    old.resolve('old');
    expect(await first).toBe('old');
    expect(await cache.get('a', async () => 'new')).toBe('new');
    expect(await cache.get('a', async () => 'newer')).toBe('new');
  });

  it('does not keep failed loads', async () => {
    const cache = new ReadThroughCache<string>({ max: 10, ttlMs: 60_000 });
    await expect(cache.get('a', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('a', async () => 'up')).toBe('up');
  });

  it('reads again after the TTL, and clear drops everything', async () => {
    const cache = new ReadThroughCache<string>({ max: 10, ttlMs: 30 });
    const load = vi.fn(async () => 'v');
    await cache.get('a', load);
    await cache.get('b', load);
    await sleep(60);
    await cache.get('a', load);
    expect(load).toHaveBeenCalledTimes(3);
    cache.clear();
    await cache.get('a', load);
    expect(load).toHaveBeenCalledTimes(4);
  });

  it('keeps at most max entries', async () => {
    const cache = new ReadThroughCache<string>({ max: 2, ttlMs: 60_000 });
    const load = vi.fn(async () => 'v');
    for (const key of ['a', 'b', 'c', 'a']) await cache.get(key, load);
    expect(load).toHaveBeenCalledTimes(4);
  });

  it('keeps at most maxSize in total when sizes are given', async () => {
    const cache = new ReadThroughCache<string>({
      max: 100,
      ttlMs: 60_000,
      maxSize: { total: 10, sizeOf: (value) => value.length },
    });
    const load = vi.fn(async () => 'xxxx');
    for (const key of ['a', 'b', 'c', 'a']) await cache.get(key, load);
    expect(load).toHaveBeenCalledTimes(4);
  });

  it('past half its TTL serves the value at once and reloads it in the background', async () => {
    const cache = new ReadThroughCache<number>({ max: 10, ttlMs: 80 });
    let version = 1;
    const load = vi.fn(async () => version);
    expect(await cache.get('a', load)).toBe(1);
    version = 2;
    await sleep(50); // past half the TTL, within it
    expect(cache.peek('a', load)?.value).toBe(1); // not kept waiting
    expect(load).toHaveBeenCalledTimes(1); // not on this caller's path: the reload starts next turn
    expect(cache.peek('a', load)?.value).toBe(1); // and only one reload is scheduled
    await new Promise((resolve) => setImmediate(resolve));
    expect(load).toHaveBeenCalledTimes(2);
    await sleep(5);
    expect(await cache.get('a', load)).toBe(2);
    expect(load).toHaveBeenCalledTimes(2);
  });

  describe('groups (sessions by user)', () => {
    type Session = { user: string };
    const groupsOf = (cache: ReadThroughCache<Session | null>) =>
      (cache as unknown as { groups: Map<string, Set<string>> }).groups;

    it('drops every entry of a group at once, and no other', async () => {
      const cache = new ReadThroughCache<Session | null>({
        max: 10,
        ttlMs: 60_000,
        groupOf: (session) => session?.user ?? null,
      });
      const load = vi.fn(async (key: string) => (key === 'signed-out' ? null : { user: key.slice(0, 1) }));
      for (const key of ['a1', 'a2', 'b1', 'signed-out']) await cache.get(key, () => load(key));
      expect(load).toHaveBeenCalledTimes(4);
      cache.forgetGroup('a');
      for (const key of ['a1', 'a2', 'b1', 'signed-out']) await cache.get(key, () => load(key));
      expect(load.mock.calls.slice(4).map(([key]) => key)).toEqual(['a1', 'a2']);
    });

    it('keeps no load under way when a group is dropped, and lets no later caller join one', async () => {
      const cache = new ReadThroughCache<Session>({
        max: 10,
        ttlMs: 60_000,
        groupOf: (session) => session.user,
      });
      const before = deferred<Session>();
      const first = cache.get('a1', () => before.promise); // looked up before the sign-out
      cache.forgetGroup('a'); // its key was not filed yet: every load under way is let go
      const after = cache.get('a1', async () => ({ user: 'a', fresh: true }) as Session);
      before.resolve({ user: 'a' });
      expect(await first).toEqual({ user: 'a' });
      expect(await after).toEqual({ user: 'a', fresh: true });
      expect(await cache.get('a1', async () => ({ user: 'x' }))).toEqual({ user: 'a', fresh: true });
    });

    it('indexes only keys that are cached (evicted, expired, overwritten or forgotten ones leave)', async () => {
      const cache = new ReadThroughCache<Session>({ max: 3, ttlMs: 40, groupOf: (session) => session.user });
      for (let index = 0; index < 100; index++)
        await cache.get(`k${index}`, async () => ({ user: `u${index % 7}` }));
      const indexed = () => [...groupsOf(cache as never).values()].reduce((sum, keys) => sum + keys.size, 0);
      expect(indexed()).toBe(3);
      cache.forget('k99');
      expect(indexed()).toBe(2);
      await sleep(50);
      await cache.get('k98', async () => ({ user: 'other' })); // expired: reloaded under another group
      expect(groupsOf(cache as never).get('other')).toEqual(new Set(['k98']));
      expect(indexed()).toBe(2);
      cache.clear();
      expect(groupsOf(cache as never).size).toBe(0);
    });
  });
});
