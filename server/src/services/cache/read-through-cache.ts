import { LRUCache } from 'lru-cache';

export interface ReadThroughCacheOptions<V> {
  /** Most entries kept (least recently used go first). */
  max: number;
  /** Longest an entry is served: the backstop when an invalidation never arrives. */
  ttlMs: number;
  /** Also bound the memory: entries of `sizeOf` (about bytes) add up to at most this much. */
  maxSize?: { total: number; sizeOf: (value: V) => number };
  /**
   * Files each kept value under a group (e.g. sessions under their user), so that `forgetGroup`
   * drops all of a group's entries at once. The index holds only keys that are in the cache.
   */
  groupOf?: (value: V) => string | null;
}

interface Entry<V> {
  value: V;
  loadedAt: number;
}

/**
 * Values read once and then served from process memory, bounded in size and age; `forget` drops a
 * key at once. Concurrent misses of one key share one load. A load that was under way when any key
 * was forgotten is handed to its callers but not kept, so a read racing a write cannot put the old
 * value back. Failed loads are not kept. An entry past half its TTL is still served, and reloaded
 * in the background: a busy key never makes a caller wait for the read, and no entry is ever served
 * older than the TTL. That background reload starts on the next turn of the event loop, after the
 * request that found the entry aged has done its own synchronous work (a session lookup costs ≈ 1 ms
 * of CPU before its first await, which would otherwise land on that request's path).
 */
export class ReadThroughCache<V> {
  // Wrapped: lru-cache keeps no null/undefined values, and null is a value here (e.g. "no plan").
  private readonly entries: LRUCache<string, Entry<V>>;
  private readonly refreshAfterMs: number;
  private readonly loading = new Map<string, Promise<V>>();
  /** Bumped by every forget/clear: a load that started before it is not stored. */
  private generation = 0;
  private readonly groupOf: ((value: V) => string | null) | undefined;
  /** Group → the keys of its entries; an entry leaves its group whenever it leaves the cache. */
  private readonly groups = new Map<string, Set<string>>();

  constructor(options: ReadThroughCacheOptions<V>) {
    const { maxSize, groupOf } = options;
    this.refreshAfterMs = options.ttlMs / 2;
    this.groupOf = groupOf;
    this.entries = new LRUCache({
      max: options.max,
      ttl: options.ttlMs,
      ...(maxSize
        ? {
            maxSize: maxSize.total,
            sizeCalculation: (entry: Entry<V>) => maxSize.sizeOf(entry.value),
          }
        : {}),
      // Evicted, expired, overwritten or deleted: out of its group too (the index stays bounded).
      ...(groupOf ? { dispose: (entry: Entry<V>, key: string) => this.ungroup(key, entry.value) } : {}),
    });
  }

  get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.peek(key, load);
    if (hit) return Promise.resolve(hit.value);
    return this.loading.get(key) ?? this.load(key, load);
  }

  /**
   * The kept value, synchronously (for hooks that run on every request), or undefined when there is
   * none; like `get`, an entry past half its TTL is reloaded in the background.
   */
  peek(key: string, load: () => Promise<V>): { value: V } | undefined {
    const hit = this.entries.get(key);
    if (hit && performance.now() - hit.loadedAt > this.refreshAfterMs && !this.loading.has(key)) {
      this.load(key, () => nextTurn().then(load)).catch(() => {}); // the served value stays until the TTL
    }
    return hit;
  }

  private load(key: string, load: () => Promise<V>): Promise<V> {
    const generation = this.generation;
    const loaded: Promise<V> = load()
      .then((value) => {
        if (generation === this.generation) this.store(key, value);
        return value;
      })
      .finally(() => {
        if (this.loading.get(key) === loaded) this.loading.delete(key);
      });
    this.loading.set(key, loaded);
    return loaded;
  }

  private store(key: string, value: V): void {
    this.entries.set(key, { value, loadedAt: performance.now() });
    const group = this.groupOf?.(value);
    if (!group || !this.entries.has(key)) return;
    let keys = this.groups.get(group);
    if (!keys) this.groups.set(group, (keys = new Set()));
    keys.add(key);
  }

  private ungroup(key: string, value: V): void {
    const group = this.groupOf?.(value);
    if (!group) return;
    const keys = this.groups.get(group);
    keys?.delete(key);
    if (keys?.size === 0) this.groups.delete(group);
  }

  /**
   * Drops every entry of a group at once, and keeps no load that was under way (whatever its key:
   * a load in flight may be for a key of this group not yet filed). Callers that arrive later
   * start a fresh load rather than join one that began before the change.
   */
  forgetGroup(group: string): void {
    this.generation++;
    this.loading.clear();
    for (const key of [...(this.groups.get(group) ?? [])]) this.entries.delete(key);
    this.groups.delete(group);
  }

  forget(key: string): void {
    this.generation++;
    this.entries.delete(key);
    this.loading.delete(key);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.loading.clear();
    this.groups.clear();
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
