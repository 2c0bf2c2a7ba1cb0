import type { Database } from '../../src/db/database.js';

type Query = (...args: unknown[]) => unknown;

/**
 * Records the SQL sent through a database's driver (PGlite or the node-postgres pool), to count
 * reads of a table: proof that a path is served from memory, not timing.
 */
export function recordQueries(database: Database): {
  readsOf(table: string): number;
  /** Statements whose text contains `fragment`. */
  count(fragment: string): number;
  clear(): void;
} {
  const client = (database.db as unknown as { $client: { query: Query } }).$client;
  const original = client.query;
  const sent: string[] = [];
  client.query = function (this: unknown, ...args: unknown[]) {
    const [query] = args;
    sent.push(typeof query === 'string' ? query : String((query as { text?: unknown }).text ?? ''));
    return original.apply(this, args);
  };
  const count = (fragment: string) => sent.filter((text) => text.includes(fragment)).length;
  return {
    readsOf: (table) => count(`from "${table}"`),
    count,
    clear: () => {
      sent.length = 0;
    },
  };
}
