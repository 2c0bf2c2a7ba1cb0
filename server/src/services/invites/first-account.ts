import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import { firstAccount, user } from '../../db/schema.js';

/** True when the instance has no account yet: the next sign-up is its first (and its administrator). */
export async function hasNoAccounts(db: Db): Promise<boolean> {
  const rows = await db.select({ id: user.id }).from(user).limit(1);
  return rows.length === 0;
}

/**
 * Makes a just-created account the administrator when it is the instance's first. Race-safe: the
 * claim is one INSERT of the single `first_account` row, and only for an account no earlier account
 * precedes; of two sign-ups racing on an empty instance, whichever claims second hits the primary key
 * and stays a user. On an instance that already had accounts (upgraded from before this feature),
 * nobody is promoted. Returns whether this account became the administrator.
 */
export async function claimFirstAccount(db: Db, userId: string): Promise<boolean> {
  const claimed = await db.execute(sql`
    insert into first_account (slot, user_id)
    select 'first', me.id from "user" me
    where me.id = ${userId}
      and not exists (
        select 1 from "user" other
        where other.id <> me.id and (other.created_at, other.id) < (me.created_at, me.id)
      )
    on conflict do nothing
    returning user_id`);
  if (rowsOf(claimed).length === 0) return false;
  await db.update(user).set({ role: 'admin', updatedAt: new Date() }).where(eq(user.id, userId));
  return true;
}

/** Whether this account is the one that became administrator by being first (GET /api/me). */
export async function isFirstAccount(db: Db, userId: string): Promise<boolean> {
  const rows = await db
    .select({ userId: firstAccount.userId })
    .from(firstAccount)
    .where(and(eq(firstAccount.slot, 'first'), eq(firstAccount.userId, userId)))
    .limit(1);
  return rows.length > 0;
}

/** PGlite's execute answers `{rows}`, node-postgres's a QueryResult with `rows` too. */
function rowsOf<T>(result: unknown): T[] {
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
