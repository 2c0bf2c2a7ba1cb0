import { and, asc, eq, ilike, inArray, or } from 'drizzle-orm';
import type { UsageTotals } from '@app/common';
import type { Db } from '../../db/database.js';
import { session, subscriptions, user } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import { budgetMonthOf } from '../limits/budget-month.js';
import type { UsageService } from '../usage-service.js';
import { recordAudit, type AuditActor } from './admin-audit.js';

export interface AdminUserRow {
  id: string;
  name: string;
  email: string;
  role: 'user' | 'admin';
  plan: string | null;
  disabled: boolean;
  createdAt: string;
  usage: UsageTotals;
}

const NO_USAGE: UsageTotals = { promptTokens: 0, completionTokens: 0, costUsd: 0, messages: 0 };

export interface AdminUsersOptions {
  usage: UsageService;
  /** A user's sessions or profile changed: drop their cached sessions here and on every instance. */
  onUserChange: (userId: string) => Promise<void>;
  now?: () => Date;
}

/** The console's user list and the changes only an admin makes beside plans and roles. */
export class AdminUsersService {
  constructor(
    private readonly db: Db,
    private readonly options: AdminUsersOptions,
  ) {}

  /** Users whose email or name contains `query` (case-insensitive), oldest first, with this month's use. */
  async search(query: string, limit = 50): Promise<AdminUserRow[]> {
    const pattern = `%${query.trim().replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
    const rows = await this.db
      .select({
        id: user.id,
        name: user.name,
        email: user.email,
        role: user.role,
        disabledAt: user.disabledAt,
        createdAt: user.createdAt,
      })
      .from(user)
      .where(query.trim() ? or(ilike(user.email, pattern), ilike(user.name, pattern)) : undefined)
      .orderBy(asc(user.createdAt), asc(user.id))
      .limit(limit);
    const ids = rows.map((row) => row.id);
    const plans =
      ids.length === 0
        ? []
        : await this.db
            .select({
              userId: subscriptions.userId,
              plan: subscriptions.plan,
              end: subscriptions.currentPeriodEnd,
            })
            .from(subscriptions)
            .where(and(inArray(subscriptions.userId, ids), eq(subscriptions.status, 'active')));
    const now = this.options.now?.() ?? new Date();
    const planOf = new Map(
      plans.filter((row) => row.end === null || row.end > now).map((row) => [row.userId, row.plan]),
    );
    const month = await this.options.usage.operatorMonth(budgetMonthOf(now).id);
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      email: row.email,
      role: row.role,
      plan: planOf.get(row.id) ?? null,
      disabled: row.disabledAt !== null,
      createdAt: row.createdAt.toISOString(),
      usage: month.byUser.get(row.id) ?? NO_USAGE,
    }));
  }

  /** Disables (no sign-in, every session ended at once) or enables an account; audited. */
  async setDisabled(
    userId: string,
    disabled: boolean,
    actor: AuditActor,
  ): Promise<{ userId: string; disabled: boolean }> {
    const [target] = await this.db
      .select({ id: user.id, email: user.email, disabledAt: user.disabledAt })
      .from(user)
      .where(eq(user.id, userId))
      .limit(1);
    if (!target) throw new AppError('not_found', 'No such user');
    if (actor.userId === userId && disabled) {
      throw new AppError('validation_failed', 'You cannot disable your own account.');
    }
    await this.db
      .update(user)
      .set({ disabledAt: disabled ? new Date() : null, updatedAt: new Date() })
      .where(eq(user.id, userId));
    if (disabled) await this.db.delete(session).where(eq(session.userId, userId));
    await recordAudit(this.db, {
      actor,
      targetUserId: userId,
      targetEmail: target.email,
      action: disabled ? 'disable' : 'enable',
      fromValue: target.disabledAt ? 'disabled' : 'enabled',
      toValue: disabled ? 'disabled' : 'enabled',
    });
    await this.options.onUserChange(userId);
    return { userId, disabled };
  }
}
