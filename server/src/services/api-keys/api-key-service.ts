import { randomUUID } from 'node:crypto';
import { and, count, desc, eq, gte, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { ApiKey, ApiKeyList, ApiKeyUsage, CreateApiKeyBody, CreatedApiKey } from '@app/common';
import { createApiKeyBody } from '@app/common';
import type { ApiKeysEntitlement } from '../../config/plans-schema.js';
import type { Db } from '../../db/database.js';
import { apiKeys, chatbots, usageRecords, user } from '../../db/schema.js';
import { AppError, notFound } from '../../errors.js';
import { ReadThroughCache } from '../cache/read-through-cache.js';
import { monthWindow } from '../usage-service.js';
import { hashSecret, newSecret, shownPrefix } from './api-key-secret.js';

type ApiKeyRow = typeof apiKeys.$inferSelect;

/** A key that authenticated a request: what the /v1 routes need, with its owner. */
export interface VerifiedKey {
  id: string;
  prefix: string;
  userId: string;
  chatbotIds: readonly string[] | null;
  expiresAt: Date | null;
  monthlySpendCapUsd: number | null;
  requestsPerMinute: number | null;
  owner: { id: string; email: string; name: string; role: 'user' | 'admin' };
}

export interface ApiKeyServiceOptions {
  /** What the owner's plan allows (plans file `apiKeys`), read per call. */
  entitlement(userId: string): Promise<{ plan: string | null } & ApiKeysEntitlement>;
  /** A key was revoked here: tell the other instances (create-services.ts, over Redis). */
  onRevoke?(keyId: string): Promise<void>;
  now?(): Date;
  /** How long a verified key is kept in memory; a revocation is announced, this bounds a lost one. */
  cacheTtlMs?: number;
}

const TOUCH_EVERY_MS = 60_000;

/**
 * API keys: created (the secret returned once, its SHA-256 stored), listed, revoked; and verified
 * on every /v1 request from memory (a revocation drops the entry here at once and on the other
 * instances when announced). No HTTP here.
 */
export class ApiKeyService {
  private readonly verified: ReadThroughCache<VerifiedKey | null>;
  private readonly touched = new Map<string, number>();
  /** Owner → the ids of their keys verified here: a disabled or deleted owner's keys are dropped. */
  private readonly byOwner = new Map<string, Set<string>>();
  private readonly now: () => Date;

  constructor(
    private readonly db: Db,
    private readonly options: ApiKeyServiceOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.verified = new ReadThroughCache<VerifiedKey | null>({
      max: 10_000,
      ttlMs: options.cacheTtlMs ?? 60_000,
      groupOf: (key) => key?.id ?? null,
    });
  }

  async create(userId: string, input: CreateApiKeyBody): Promise<CreatedApiKey> {
    const body = createApiKeyBody.parse(input);
    const entitlement = await this.options.entitlement(userId);
    const planName = entitlement.plan ? `The "${entitlement.plan}" plan` : 'An account without a plan';
    if (!entitlement.allowed) {
      throw new AppError('forbidden', `${planName} does not include API keys.`);
    }
    const expiresAt = body.expiresAt === null ? null : new Date(body.expiresAt);
    if (expiresAt && expiresAt.getTime() <= this.now().getTime()) {
      throw fieldError('expiresAt', 'Expiry must be in the future');
    }
    if (body.chatbotIds) await this.assertOwnChatbots(userId, body.chatbotIds);
    if (entitlement.maxKeys !== undefined) {
      const active = await this.activeCount(userId);
      if (active >= entitlement.maxKeys) {
        throw new AppError(
          'conflict',
          `${planName} allows ${entitlement.maxKeys} active API keys; revoke one to make another.`,
        );
      }
    }
    const secret = newSecret();
    const [row] = await this.db
      .insert(apiKeys)
      .values({
        id: randomUUID(),
        userId,
        name: body.name,
        secretHash: hashSecret(secret),
        prefix: shownPrefix(secret),
        chatbotIds: body.chatbotIds ? [...new Set(body.chatbotIds)] : null,
        expiresAt,
        monthlySpendCapUsd: body.monthlySpendCapUsd,
        requestsPerMinute: body.requestsPerMinute,
      })
      .returning();
    return { key: toApiKey(row!, emptyUsage), secret };
  }

  async list(userId: string): Promise<ApiKeyList> {
    const [rows, entitlement, usage] = await Promise.all([
      this.db.select().from(apiKeys).where(eq(apiKeys.userId, userId)).orderBy(desc(apiKeys.createdAt)),
      this.options.entitlement(userId),
      this.monthUsage(userId, this.now().toISOString().slice(0, 7)),
    ]);
    return {
      keys: rows.map((row) => toApiKey(row, usage.get(row.id) ?? emptyUsage)),
      allowed: entitlement.allowed,
      maxKeys: entitlement.maxKeys ?? null,
    };
  }

  /** Revokes at once: refused here now, on the other instances when told (within a second). */
  async revoke(userId: string, keyId: string): Promise<void> {
    const rows = await this.db
      .update(apiKeys)
      .set({ revokedAt: this.now() })
      .where(and(eq(apiKeys.id, keyId), eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id });
    if (rows.length === 0) {
      const exists = await this.db
        .select({ id: apiKeys.id })
        .from(apiKeys)
        .where(and(eq(apiKeys.id, keyId), eq(apiKeys.userId, userId)));
      if (exists.length === 0) throw notFound('API key');
    }
    this.forget(keyId);
    await this.options.onRevoke?.(keyId);
  }

  /** The key a secret belongs to, if it may be used now (not revoked, not expired, owner enabled). */
  async verify(secret: string): Promise<VerifiedKey | null> {
    const key = await this.verified.get(hashSecret(secret), () => this.load(secret));
    if (!key) return null;
    if (key.expiresAt && key.expiresAt.getTime() <= this.now().getTime()) return null;
    this.touch(key.id);
    return key;
  }

  /** Drops this instance's copy of a key (revoked here or on another instance). */
  forget(keyId: string): void {
    this.verified.forgetGroup(keyId);
  }

  /** Drops every verified key of a user (disabled, deleted, role changed: checked again on next use). */
  forgetOwner(userId: string): void {
    for (const keyId of this.byOwner.get(userId) ?? []) this.verified.forgetGroup(keyId);
    this.byOwner.delete(userId);
  }

  forgetAll(): void {
    this.verified.clear();
    this.byOwner.clear();
  }

  private async load(secret: string): Promise<VerifiedKey | null> {
    const rows = await this.db
      .select({ key: apiKeys, owner: user })
      .from(apiKeys)
      .innerJoin(user, eq(user.id, apiKeys.userId))
      .where(eq(apiKeys.secretHash, hashSecret(secret)))
      .limit(1);
    const row = rows[0];
    if (!row || row.key.revokedAt || row.owner.disabledAt) return null;
    if (this.byOwner.size > 10_000) this.byOwner.clear();
    const owned = this.byOwner.get(row.key.userId) ?? new Set<string>();
    this.byOwner.set(row.key.userId, owned.add(row.key.id));
    return {
      id: row.key.id,
      prefix: row.key.prefix,
      userId: row.key.userId,
      chatbotIds: row.key.chatbotIds,
      expiresAt: row.key.expiresAt,
      monthlySpendCapUsd: row.key.monthlySpendCapUsd,
      requestsPerMinute: row.key.requestsPerMinute,
      owner: {
        id: row.owner.id,
        email: row.owner.email,
        name: row.owner.name,
        role: row.owner.role === 'admin' ? 'admin' : 'user',
      },
    };
  }

  /** last_used_at, at most once a minute per key and instance: no write per request. */
  private touch(keyId: string): void {
    const now = this.now().getTime();
    if ((this.touched.get(keyId) ?? 0) > now - TOUCH_EVERY_MS) return;
    this.touched.set(keyId, now);
    if (this.touched.size > 10_000) this.touched.clear();
    void this.db
      .update(apiKeys)
      .set({ lastUsedAt: new Date(now) })
      .where(eq(apiKeys.id, keyId))
      .catch(() => this.touched.delete(keyId));
  }

  private async activeCount(userId: string): Promise<number> {
    const rows = await this.db
      .select({ n: count() })
      .from(apiKeys)
      .where(
        and(
          eq(apiKeys.userId, userId),
          isNull(apiKeys.revokedAt),
          sql`(${apiKeys.expiresAt} is null or ${apiKeys.expiresAt} > ${this.now()})`,
        ),
      );
    return Number(rows[0]?.n ?? 0);
  }

  private async assertOwnChatbots(userId: string, ids: readonly string[]): Promise<void> {
    const rows = await this.db
      .select({ id: chatbots.id })
      .from(chatbots)
      .where(and(eq(chatbots.userId, userId), inArray(chatbots.id, [...ids])));
    if (rows.length !== new Set(ids).size) {
      throw fieldError('chatbotIds', 'One of the chosen chatbots does not exist (any more)');
    }
  }

  /** The Usage page's "by API key" (revoked keys included): one month (UTC), busiest first. */
  async usageByKey(userId: string, month: string): Promise<ApiKeyUsage[]> {
    const [rows, usage] = await Promise.all([
      this.db.select().from(apiKeys).where(eq(apiKeys.userId, userId)),
      this.monthUsage(userId, month),
    ]);
    return rows
      .flatMap((row) => {
        const used = usage.get(row.id);
        return used
          ? [{ id: row.id, name: row.name, prefix: row.prefix, revoked: row.revokedAt !== null, ...used }]
          : [];
      })
      .sort((a, b) => b.costUsd - a.costUsd || b.requests - a.requests);
  }

  /** Calls and cost per key in a calendar month (`2026-12`, UTC), from the usage ledger. */
  private async monthUsage(userId: string, month: string): Promise<Map<string, ApiKey['usage']>> {
    const { from: monthStart, to: monthEnd } = monthWindow(month);
    const rows = await this.db
      .select({
        keyId: usageRecords.apiKeyId,
        requests: sql<string | number>`count(*)`,
        costUsd: sql<string | number>`coalesce(sum(${usageRecords.costUsd}), 0)`,
        promptTokens: sql<string | number>`coalesce(sum(${usageRecords.promptTokens}), 0)`,
        completionTokens: sql<string | number>`coalesce(sum(${usageRecords.completionTokens}), 0)`,
      })
      .from(usageRecords)
      .where(
        and(
          eq(usageRecords.userId, userId),
          gte(usageRecords.createdAt, monthStart),
          lt(usageRecords.createdAt, monthEnd),
          sql`${usageRecords.apiKeyId} is not null`,
        ),
      )
      .groupBy(usageRecords.apiKeyId);
    return new Map(
      rows.map((row) => [
        row.keyId!,
        {
          requests: Number(row.requests),
          costUsd: Math.round(Number(row.costUsd) * 1e6) / 1e6,
          promptTokens: Number(row.promptTokens),
          completionTokens: Number(row.completionTokens),
        },
      ]),
    );
  }
}

const emptyUsage: ApiKey['usage'] = { requests: 0, costUsd: 0, promptTokens: 0, completionTokens: 0 };

function toApiKey(row: ApiKeyRow, usage: ApiKey['usage']): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    chatbotIds: row.chatbotIds,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    monthlySpendCapUsd: row.monthlySpendCapUsd,
    requestsPerMinute: row.requestsPerMinute,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    usage,
  };
}

/** A 400 the form shows on its field (the same shape as a schema validation failure). */
function fieldError(field: string, message: string): AppError {
  return new AppError('validation_failed', message, { details: [{ field, message }] });
}
