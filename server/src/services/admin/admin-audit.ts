import { desc } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import { adminAuditLog } from '../../db/schema.js';

/** Who made an administrative change: an admin's session, or the admin CLI (userId null). */
export interface AuditActor {
  userId: string | null;
  label: string;
}

export const CLI_ACTOR: AuditActor = { userId: null, label: 'admin CLI' };

export type AuditAction = 'set_plan' | 'set_role' | 'disable' | 'enable' | 'invite_create' | 'invite_revoke';

export interface AuditEntry {
  actor: AuditActor;
  /** Null for an invite nobody has used. */
  targetUserId: string | null;
  targetEmail: string;
  action: AuditAction;
  fromValue: string | null;
  toValue: string | null;
}

export interface AuditRow {
  id: string;
  actor: string;
  actorUserId: string | null;
  targetUserId: string | null;
  targetEmail: string;
  action: AuditAction;
  fromValue: string | null;
  toValue: string | null;
  createdAt: string;
}

/** One row per administrative change, written by the console and the CLI alike (SubscriptionService). */
export async function recordAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db.insert(adminAuditLog).values({
    id: crypto.randomUUID(),
    actorUserId: entry.actor.userId,
    actor: entry.actor.label,
    targetUserId: entry.targetUserId,
    targetEmail: entry.targetEmail,
    action: entry.action,
    fromValue: entry.fromValue,
    toValue: entry.toValue,
  });
}

/** The latest changes first. */
export async function listAudit(db: Db, limit = 100): Promise<AuditRow[]> {
  const rows = await db
    .select()
    .from(adminAuditLog)
    .orderBy(desc(adminAuditLog.createdAt), desc(adminAuditLog.id))
    .limit(limit);
  return rows.map((row) => ({ ...row, createdAt: row.createdAt.toISOString() }));
}
