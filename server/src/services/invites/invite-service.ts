import { and, desc, eq, gt, isNull, or } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import { invites } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import { recordAudit, type AuditActor } from '../admin/admin-audit.js';
import { hashInviteCode, inviteLink, newInviteCode } from './invite-code.js';

export interface InviteView {
  id: string;
  email: string | null;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  status: 'open' | 'used' | 'expired';
  usedAt: string | null;
  usedEmail: string | null;
}

export interface CreatedInvite extends InviteView {
  /** Shown once: only the code's hash is kept. */
  code: string;
  link: string;
}

export interface CreateInviteInput {
  email?: string | null;
  /** Null: never expires. */
  expiresInHours: number | null;
}

/** Why a claim failed, in the words the sign-up form shows. */
export const INVITE_INVALID = 'This invite link is not valid or was already used.';

/** Invites for SIGNUP=invite: made by an admin (console or CLI), used once by a sign-up. */
export class InviteService {
  constructor(
    private readonly db: Db,
    private readonly options: { appUrl: string; now?: () => Date },
  ) {}

  async create(input: CreateInviteInput, actor: AuditActor): Promise<CreatedInvite> {
    const code = newInviteCode();
    const now = this.now();
    const email = input.email?.trim().toLowerCase() || null;
    const [row] = await this.db
      .insert(invites)
      .values({
        id: crypto.randomUUID(),
        codeHash: hashInviteCode(code),
        email,
        createdBy: actor.userId,
        createdByLabel: actor.label,
        createdAt: now,
        expiresAt:
          input.expiresInHours === null ? null : new Date(now.getTime() + input.expiresInHours * 3_600_000),
      })
      .returning();
    await recordAudit(this.db, {
      actor,
      targetUserId: null,
      targetEmail: email ?? '(anyone with the link)',
      action: 'invite_create',
      fromValue: null,
      toValue: row!.expiresAt ? `expires ${row!.expiresAt.toISOString()}` : 'never expires',
    });
    return { ...this.view(row!), code, link: inviteLink(this.options.appUrl, code) };
  }

  /** Newest first. */
  async list(limit = 200): Promise<InviteView[]> {
    const rows = await this.db
      .select()
      .from(invites)
      .orderBy(desc(invites.createdAt), desc(invites.id))
      .limit(limit);
    return rows.map((row) => this.view(row));
  }

  /** Deletes an invite: its link stops working at once (a used one only leaves the list). */
  async revoke(id: string, actor: AuditActor): Promise<void> {
    const [row] = await this.db.delete(invites).where(eq(invites.id, id)).returning();
    if (!row) throw new AppError('not_found', 'No such invite');
    await recordAudit(this.db, {
      actor,
      targetUserId: row.usedBy,
      targetEmail: row.email ?? row.usedEmail ?? '(anyone with the link)',
      action: 'invite_revoke',
      fromValue: this.view(row).status,
      toValue: 'revoked',
    });
  }

  /** Whether `code` is an invite `email` may use now (checked before the password is hashed). */
  async isUsable(code: string, email: string): Promise<boolean> {
    const rows = await this.db
      .select({ id: invites.id })
      .from(invites)
      .where(this.usable(code, email))
      .limit(1);
    return rows.length > 0;
  }

  /**
   * Takes the invite for `email`: one conditional UPDATE, so of two sign-ups racing for a single-use
   * invite exactly one gets it. False when it is unknown, used, expired or for another address.
   */
  async claim(code: string, email: string): Promise<boolean> {
    const rows = await this.db
      .update(invites)
      .set({ usedAt: this.now(), usedEmail: email.trim().toLowerCase() })
      .where(this.usable(code, email))
      .returning({ id: invites.id });
    return rows.length > 0;
  }

  /** Links the claimed invite to the account made with it, once that row exists. */
  async linkAccount(email: string, userId: string): Promise<void> {
    await this.db
      .update(invites)
      .set({ usedBy: userId })
      .where(and(eq(invites.usedEmail, email.trim().toLowerCase()), isNull(invites.usedBy)));
  }

  private usable(code: string, email: string) {
    return and(
      eq(invites.codeHash, hashInviteCode(code)),
      isNull(invites.usedAt),
      or(isNull(invites.expiresAt), gt(invites.expiresAt, this.now())),
      or(isNull(invites.email), eq(invites.email, email.trim().toLowerCase())),
    );
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private view(row: typeof invites.$inferSelect): InviteView {
    const status = row.usedAt ? 'used' : row.expiresAt && row.expiresAt <= this.now() ? 'expired' : 'open';
    return {
      id: row.id,
      email: row.email,
      createdBy: row.createdByLabel,
      createdAt: row.createdAt.toISOString(),
      expiresAt: row.expiresAt?.toISOString() ?? null,
      status,
      usedAt: row.usedAt?.toISOString() ?? null,
      usedEmail: row.usedEmail,
    };
  }
}
