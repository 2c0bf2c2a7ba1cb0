import pg from 'pg';
import type { Db } from './database.js';

/**
 * A statement whose text never changes with its input (batches travel as arrays, optional parts as
 * nullable parameters). Its name must be unique in the process: node-postgres refuses one name with
 * two texts on a connection.
 */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

/**
 * On PostgreSQL the statement runs by name, so each pooled connection parses and analyses it once
 * instead of on every call (PostgreSQL still decides per execution whether a cached generic plan
 * will do). PGlite gets the same text and parameters unnamed: it is one in-process connection whose
 * `query` parses on every call anyway.
 */
export async function runPrepared(db: Db, statement: PreparedStatement, values: unknown[]): Promise<void> {
  const client = db.$client;
  if (client instanceof pg.Pool) {
    await client.query({ name: statement.name, text: statement.text, values });
  } else {
    await client.query(statement.text, values);
  }
}
