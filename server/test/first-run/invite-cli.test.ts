import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createAuth } from '../../src/auth/create-auth.js';
import { loadConfig } from '../../src/config/index.js';
import { createDatabase } from '../../src/db/create-db.js';
import { writeAdminHandle } from '../../src/runtime/admin-handle.js';
import { startModelAccess } from '../../src/runtime/model-access.js';
import { adminAuditLog, invites } from '../../src/db/schema.js';
import { hashInviteCode } from '../../src/services/invites/invite-code.js';

const run = promisify(execFile);
const serverRoot = path.resolve(import.meta.dirname, '../..');

async function admin(dataDir: string, env: Record<string, string>, ...args: string[]) {
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

// Each command starts Node with tsx and opens the embedded database: slow on a busy machine.
describe('admin CLI: invite and invites', { timeout: 240_000 }, () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'invite-cli-'));
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('prints a single-use sign-up link, keeps only its hash, audits it, and lists it', async () => {
    const made = await admin(
      dataDir,
      { SIGNUP: 'invite', APP_URL: 'https://chat.example.com' },
      'invite',
      '--email',
      'zoe@example.com',
      '--expires',
      '2d',
    );
    expect(made.stderr).toBe('');
    const [link, details] = made.stdout.trim().split('\n');
    expect(link).toMatch(/^https:\/\/chat\.example\.com\/sign-up\?invite=[\w-]{43}$/);
    expect(details).toMatch(/^single use, only for zoe@example\.com, expires \d{4}-/);
    const code = new URL(link!).searchParams.get('invite')!;

    const database = await createDatabase({ kind: 'pglite', dataDir });
    try {
      const [row] = await database.db.select().from(invites);
      expect(row).toMatchObject({
        codeHash: hashInviteCode(code),
        email: 'zoe@example.com',
        createdBy: null,
      });
      const hours = (row!.expiresAt!.getTime() - row!.createdAt.getTime()) / 3_600_000;
      expect(Math.round(hours)).toBe(48);
      const audit = await database.db.select().from(adminAuditLog);
      expect(audit).toMatchObject([
        { actor: 'admin CLI', action: 'invite_create', targetEmail: 'zoe@example.com' },
      ]);
    } finally {
      await database.close();
    }

    const listed = await admin(dataDir, {}, 'invites');
    expect(listed.stdout).toMatch(/^open\s+\S+\s+zoe@example\.com\s+expires \d{4}-.*made by admin CLI$/m);
    expect(listed.stdout).not.toContain(code);
  });

  it('warns that an invite is not needed while SIGNUP is open', async () => {
    const made = await admin(dataDir, { SIGNUP: 'open' }, 'invite', '--expires', 'never');
    expect(made.stdout).toContain('never expires');
    expect(made.stdout).toContain('SIGNUP is open');
  });

  it('explains bad options', async () => {
    const bad = await admin(dataDir, {}, 'invite', '--expires', 'soon');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain(
      '--expires takes hours or days up to a year, like 12h or 7d, or never; got "soon"',
    );
    expect(bad.stderr).toContain('npm run admin -- invite [--email <email>]');
  });

  it('goes through the running server when that server holds the embedded database', async () => {
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', BETTER_AUTH_SECRET: 's'.repeat(32) });
    const database = await createDatabase({ kind: 'pglite', dataDir });
    const auth = createAuth({
      db: database.db,
      secret: config.auth.secret!,
      baseUrl: config.server.appUrl,
      trustedOrigins: config.server.trustedOrigins,
      secureCookies: false,
    });
    const models = await startModelAccess(config, { info() {}, warn() {}, error() {} });
    const app = await buildApp({
      config,
      database,
      auth,
      llm: { client: {} as never, mode: 'demo', endpoint: 'none', close: async () => {} },
      catalog: models.catalog,
      plans: models.plans,
      spaDir: null,
      adminCliToken: 'cli-token-5678',
    });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const removeHandle = writeAdminHandle(dataDir, {
      url: address,
      token: 'cli-token-5678',
      pid: process.pid,
    });
    try {
      const made = await admin(dataDir, {}, 'invite', '--email', 'yan@example.com');
      expect(made.stderr).toBe('');
      expect(made.stdout).toMatch(/^http:\/\/localhost:3000\/sign-up\?invite=[\w-]{43}\n/);
      expect(made.stdout).toContain('through the running server');
      const listed = await admin(dataDir, {}, 'invites');
      expect(listed.stdout).toContain('yan@example.com');
      expect((await database.db.select().from(invites)).map((row) => row.email)).toContain('yan@example.com');
    } finally {
      removeHandle();
      await app.close();
      await models.close();
      await database.close();
    }
  });
});
