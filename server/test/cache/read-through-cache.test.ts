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
});
