import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from './schema.js';

/**
 * Drizzle over PGlite or node-postgres: one dialect, one type for the rest of the code. The driver
 * underneath stays reachable for the hot-path statements that run by name (`prepared.ts`).
 */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema> & { $client: PGlite | pg.Pool };

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Cheap liveness query for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
