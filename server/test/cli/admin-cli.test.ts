import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createAuth } from '../../src/auth/create-auth.js';
import { loadConfig } from '../../src/config/index.js';
import { createDatabase } from '../../src/db/create-db.js';
import { adminAuditLog, subscriptions, user } from '../../src/db/schema.js';
import { writeAdminHandle } from '../../src/runtime/admin-handle.js';
import { startModelAccess } from '../../src/runtime/model-access.js';

const run = promisify(execFile);
const serverRoot = path.resolve(import.meta.dirname, '../..');

async function admin(dataDir: string, ...args: string[]) {
  return adminWith({}, dataDir, ...args);
}

async function adminWith(env: Record<string, string>, dataDir: string, ...args: string[]) {
  try {
    const { stdout, stderr } = await run('node', ['--import', 'tsx', 'src/cli/admin.ts', ...args], {
      cwd: serverRoot,
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
        TEST_DATABASE_URL: '',
        DATABASE_URL: '',
        REDIS_URL: '',
        ...env,
      },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('admin CLI on the embedded database', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'admin-cli-'));
    const database = await createDatabase({ kind: 'pglite', dataDir });
    await database.db.insert(user).values({ id: 'u1', name: 'Ann', email: 'ann@example.com' });
    await database.close();
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const planOf = async () => {
    const database = await createDatabase({ kind: 'pglite', dataDir });
    try {
      const rows = await database.db.select().from(subscriptions).where(eq(subscriptions.userId, 'u1'));
      const roles = await database.db.select({ role: user.role }).from(user).where(eq(user.id, 'u1'));
      return { plan: rows[0]?.plan ?? null, role: roles[0]?.role };
    } finally {
      await database.close();
    }
  };

  it('sets and removes a plan, and sets a role, with the server stopped', async () => {
    expect((await admin(dataDir, 'set-plan', 'ann@example.com', 'pro')).stdout).toContain('plan pro');
    expect(await planOf()).toEqual({ plan: 'pro', role: 'user' });
    expect((await admin(dataDir, 'set-role', 'ann@example.com', 'admin')).code).toBe(0);
    expect((await admin(dataDir, 'set-plan', 'ann@example.com', 'none')).code).toBe(0);
    expect(await planOf()).toEqual({ plan: null, role: 'admin' });
    // The same audit rows as the console writes, with the CLI as the actor.
    const database = await createDatabase({ kind: 'pglite', dataDir });
    try {
      const rows = await database.db.select().from(adminAuditLog).orderBy(adminAuditLog.createdAt);
      expect(
        rows.map(({ actor, actorUserId, targetUserId, targetEmail, action, fromValue, toValue }) => ({
          actor,
          actorUserId,
          targetUserId,
          targetEmail,
          action,
          fromValue,
          toValue,
        })),
      ).toEqual([
        {
          actor: 'admin CLI',
          actorUserId: null,
          targetUserId: 'u1',
          targetEmail: 'ann@example.com',
          action: 'set_plan',
          fromValue: null,
          toValue: 'pro',
        },
        {
          actor: 'admin CLI',
          actorUserId: null,
          targetUserId: 'u1',
          targetEmail: 'ann@example.com',
          action: 'set_role',
          fromValue: 'user',
          toValue: 'admin',
        },
        {
          actor: 'admin CLI',
          actorUserId: null,
          targetUserId: 'u1',
          targetEmail: 'ann@example.com',
          action: 'set_plan',
          fromValue: 'pro',
          toValue: null,
        },
      ]);
    } finally {
      await database.close();
    }
  });

  it('tells running servers over Redis that the plan changed (REDIS_URL set)', async () => {
    const subscriber = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
    const heard: string[] = [];
    subscriber.on('message', (_channel: string, message: string) => heard.push(message));
    try {
      await subscriber.subscribe('cache:invalidate');
      const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
      const result = await adminWith(
        { REDIS_URL: redisUrl },
        dataDir,
        'set-plan',
        'ann@example.com',
        'basic',
      );
      expect(result.stderr).toBe('');
      await expect.poll(() => heard).toContain('plan:u1');
    } finally {
      subscriber.disconnect();
    }
  });

  it('tells running servers over Redis that the role changed (their cached sessions carry it)', async () => {
    const subscriber = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
    const heard: string[] = [];
    subscriber.on('message', (_channel: string, message: string) => heard.push(message));
    try {
      await subscriber.subscribe('cache:invalidate');
      const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
      const result = await adminWith({ REDIS_URL: redisUrl }, dataDir, 'set-role', 'ann@example.com', 'user');
      expect(result.stderr).toBe('');
      await expect.poll(() => heard).toContain('user:u1');
    } finally {
      subscriber.disconnect();
    }
  });

  it('explains an unknown email, an unknown plan and bad usage', async () => {
    const unknownEmail = await admin(dataDir, 'set-plan', 'nobody@example.com', 'pro');
    expect(unknownEmail.code).not.toBe(0);
    expect(unknownEmail.stderr).toContain('No user with email nobody@example.com');
    const unknownPlan = await admin(dataDir, 'set-plan', 'ann@example.com', 'platinum');
    expect(unknownPlan.stderr).toContain('Unknown plan "platinum"');
    expect(unknownPlan.stderr).toContain('basic');
    const usage = await admin(dataDir, 'promote', 'ann@example.com', 'x');
    expect(usage.stderr).toContain('unknown command "promote"');
    expect(usage.stderr).toContain('Usage:');
  });

  it('goes through the running server when that server holds the database', async () => {
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', BETTER_AUTH_SECRET: 's'.repeat(32) });
    const database = await createDatabase({ kind: 'pglite', dataDir });
    const auth = createAuth({
      db: database.db,
      secret: config.auth.secret!,
      baseUrl: config.server.appUrl,
      trustedOrigins: config.server.trustedOrigins,
      secureCookies: false,
    });
    const llm = { client: {} as never, mode: 'demo' as const, endpoint: 'none', close: async () => {} };
    const models = await startModelAccess(config, { info() {}, warn() {}, error() {} });
    const app = await buildApp({
      config,
      database,
      auth,
      llm,
      catalog: models.catalog,
      plans: models.plans,
      spaDir: null,
      adminCliToken: 'cli-token-1234',
    });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const removeHandle = writeAdminHandle(dataDir, {
      url: address,
      token: 'cli-token-1234',
      pid: process.pid,
    });
    try {
      const result = await admin(dataDir, 'set-plan', 'ann@example.com', 'enterprise');
      expect(result.stderr).toBe('');
      expect(result.stdout).toContain('through the running server');
      const rows = await database.db.select().from(subscriptions).where(eq(subscriptions.userId, 'u1'));
      expect(rows[0]?.plan).toBe('enterprise');

      const forged = await fetch(`${address}/api/admin/users/plan`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-admin-token': 'wrong' },
        body: JSON.stringify({ email: 'ann@example.com', plan: 'pro' }),
      });
      expect(forged.status).toBe(401);
    } finally {
      removeHandle();
      await app.close();
      await models.close();
      await database.close();
    }
  });
});
