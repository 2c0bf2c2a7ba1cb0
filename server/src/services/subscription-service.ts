import { and, eq, gt, isNull, or } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { subscriptions, user } from '../db/schema.js';
import { AppError } from '../errors.js';
import { ReadThroughCache, type ReadThroughCacheOptions } from './cache/read-through-cache.js';
import { CLI_ACTOR, recordAudit, type AuditActor } from './admin/admin-audit.js';

export type Role = 'user' | 'admin';

/** An active subscription as the plan cache keeps it: the end is checked at every read. */
interface ActiveSubscription {
  plan: string;
  currentPeriodEnd: Date | null;
}

export interface SubscriptionServiceOptions {
  /** Plans kept in memory (cachedActivePlan). Default 50,000 users, 30 s each. */
  cache?: ReadThroughCacheOptions<ActiveSubscription | null>;
  /**
   * Told after a user's plan changed through this service, once this instance's copy is dropped:
   * tells the other instances (create-services.ts broadcasts it over Redis; the admin CLI too).
   */
  onPlanChange?: (userId: string) => void | Promise<void>;
  /**
   * Told after a user's role changed through this service: their cached sessions carry the role, so
   * they are dropped on every instance (create-services.ts; the admin CLI announces it over Redis).
   */
  onRoleChange?: (userId: string) => void | Promise<void>;
}

/** Plans and roles. Plan names come from config (the plan table); this service only stores them. */
export class SubscriptionService {
  private readonly active: ReadThroughCache<ActiveSubscription | null>;

  constructor(
    private readonly db: Db,
    private readonly knownPlans: () => readonly string[],
    private readonly options: SubscriptionServiceOptions = {},
  ) {
    this.active = new ReadThroughCache(options.cache ?? { max: 50_000, ttlMs: 30_000 });
  }

  /** The user's active plan, or null without an active, unexpired subscription. Read now. */
  async getActivePlan(userId: string): Promise<string | null> {
    return planAt(await this.readActive(userId), new Date());
  }

  /**
   * The same from memory when this instance has read it before: a change through this service is
   * seen at once here (and, through onPlanChange and Redis, on the other instances); an expiry at
   * once everywhere (the period end is kept with the plan); anything else within `cache.ttlMs`.
   */
  async cachedActivePlan(userId: string): Promise<string | null> {
    return planAt(await this.active.get(userId, () => this.readActive(userId)), new Date());
  }

  /** Drops this instance's copy of a user's plan (a change announced by another instance). */
  forget(userId: string): void {
    this.active.forget(userId);
  }

  /** Drops every copy (changes from other instances may have been missed). */
  forgetAll(): void {
    this.active.clear();
  }

  private async readActive(userId: string): Promise<ActiveSubscription | null> {
    const rows = await this.db
      .select({ plan: subscriptions.plan, currentPeriodEnd: subscriptions.currentPeriodEnd })
      .from(subscriptions)
      .where(
        and(
          eq(subscriptions.userId, userId),
          eq(subscriptions.status, 'active'),
          or(isNull(subscriptions.currentPeriodEnd), gt(subscriptions.currentPeriodEnd, new Date())),
        ),
      )
      .limit(1);
    return rows[0] ?? null;
  }

  /**
   * Sets (or with null, removes) the plan of the user with this email, and writes the audit row
   * (`actor`: the admin in the console; by default the admin CLI).
   */
  async setPlanByEmail(
    email: string,
    plan: string | null,
    actor: AuditActor = CLI_ACTOR,
  ): Promise<{ userId: string; plan: string | null }> {
    if (plan !== null && !this.knownPlans().includes(plan)) {
      throw new AppError(
        'validation_failed',
        `Unknown plan "${plan}". Configured plans: ${this.knownPlans().join(', ')} (or "none").`,
      );
    }
    const target = await this.userByEmail(email);
    const userId = target.id;
    const before = await this.getActivePlan(userId);
    if (plan === null) {
      await this.db.delete(subscriptions).where(eq(subscriptions.userId, userId));
    } else {
      const now = new Date();
      await this.db
        .insert(subscriptions)
        .values({ id: crypto.randomUUID(), userId, plan, status: 'active', currentPeriodEnd: null })
        .onConflictDoUpdate({
          target: subscriptions.userId,
          set: { plan, status: 'active', currentPeriodEnd: null, updatedAt: now },
        });
    }
    await recordAudit(this.db, {
      actor,
      targetUserId: userId,
      targetEmail: target.email,
      action: 'set_plan',
      fromValue: before,
      toValue: plan,
    });
    await this.changed(userId);
    return { userId, plan };
  }

  private async changed(userId: string): Promise<void> {
    this.active.forget(userId);
    await this.options.onPlanChange?.(userId);
  }

  async setRoleByEmail(
    email: string,
    role: Role,
    actor: AuditActor = CLI_ACTOR,
  ): Promise<{ userId: string; role: Role }> {
    const target = await this.userByEmail(email);
    const userId = target.id;
    await this.db.update(user).set({ role, updatedAt: new Date() }).where(eq(user.id, userId));
    await recordAudit(this.db, {
      actor,
      targetUserId: userId,
      targetEmail: target.email,
      action: 'set_role',
      fromValue: target.role,
      toValue: role,
    });
    await this.options.onRoleChange?.(userId);
    return { userId, role };
  }

  private async userByEmail(email: string): Promise<{ id: string; email: string; role: Role }> {
    const rows = await this.db
      .select({ id: user.id, email: user.email, role: user.role })
      .from(user)
      .where(eq(user.email, email.trim().toLowerCase()))
      .limit(1);
    const found = rows[0];
    if (!found) throw new AppError('not_found', `No user with email ${email}`);
    return found;
  }
}

function planAt(subscription: ActiveSubscription | null, now: Date): string | null {
  if (!subscription) return null;
  const { plan, currentPeriodEnd } = subscription;
  return currentPeriodEnd === null || currentPeriodEnd > now ? plan : null;
}
