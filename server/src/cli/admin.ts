import { ConfigError, loadConfig, readEnvironment, type Config } from '../config/index.js';
import { createDatabase } from '../db/create-db.js';
import { DataDirLockedError } from '../db/data-dir-lock.js';
import { AppError } from '../errors.js';
import { createRedis } from '../redis/create-redis.js';
import { publishInvalidation, type Invalidation } from '../redis/invalidation-channel.js';
import { readAdminHandle } from '../runtime/admin-handle.js';
import { SubscriptionService } from '../services/subscription-service.js';
import { AdminUsageError, parseAdminCommand, USAGE, type AdminCommand } from './admin-command.js';
import { configuredPlanNames } from './plan-names.js';
import { redactSecrets } from '../logging/redact.js';
import { CLI_ACTOR } from '../services/admin/admin-audit.js';
import { InviteService, type CreatedInvite, type InviteView } from '../services/invites/invite-service.js';
import type { InviteCommand } from './invite-command.js';
import { describeCreatedInvite, describeInvites } from './invite-output.js';

/**
 * `npm run admin -- set-plan <email> <plan|none>` / `set-role <email> <admin|user>`.
 * Opens the database itself, or, when a running server holds the embedded one, asks that server.
 */
async function main(argv: string[]): Promise<void> {
  const command = parseAdminCommand(argv);
  const config = loadConfig(readEnvironment());
  const result = await runDirect(config, command).catch(async (error: unknown) => {
    if (!(error instanceof DataDirLockedError)) throw error;
    return runThroughServer(config, command);
  });
  process.stdout.write(`${result}\n`);
}

async function runDirect(config: Config, command: AdminCommand): Promise<string> {
  const database = await createDatabase(
    config.database.kind === 'postgres' ? config.database : { kind: 'pglite', dataDir: config.dataDir },
  );
  try {
    if (command.kind === 'invite' || command.kind === 'invites') {
      return await runInvite(
        new InviteService(database.db, { appUrl: config.server.appUrl }),
        config,
        command,
      );
    }
    const planNames = await configuredPlanNames(config);
    const service = new SubscriptionService(database.db, () => planNames, {
      onPlanChange: (userId) => announce(config, { kind: 'plan', userId }),
      // Running servers keep the role in their cached sessions: they look the user up again.
      onRoleChange: (userId) => announce(config, { kind: 'user', userId }),
    });
    if (command.kind === 'set-plan') {
      await service.setPlanByEmail(command.email, command.plan);
      return describe(command);
    }
    await service.setRoleByEmail(command.email, command.role);
    return describe(command);
  } finally {
    await database.close();
  }
}

/**
 * Running servers keep plans and sessions (with the role) in memory: with REDIS_URL they are told at
 * once (the channel they listen on); without it they apply the change within their cache TTL (plans
 * 30 s, sessions 20 s).
 */
async function announce(config: Config, invalidation: Invalidation): Promise<void> {
  if (!config.redisUrl) return;
  const redis = createRedis(config.redisUrl, {
    logger: { info: () => {}, warn: (message) => process.stderr.write(`admin: ${redactSecrets(message)}\n`) },
    connectionName: 'chatbot-builder-admin',
  });
  try {
    await publishInvalidation(redis.client, invalidation);
  } catch (error) {
    const reason = redactSecrets(error instanceof Error ? error.message : String(error));
    process.stderr.write(
      `admin: warning: the ${invalidation.kind === 'plan' ? 'plan' : 'role'} is saved, but running servers could not be told over Redis (${reason}); they apply it within ${invalidation.kind === 'plan' ? 30 : 20} s\n`,
    );
  } finally {
    await redis.close();
  }
}

async function runInvite(invites: InviteService, config: Config, command: InviteCommand): Promise<string> {
  if (command.kind === 'invites') return describeInvites(await invites.list());
  const created = await invites.create(
    { email: command.email, expiresInHours: command.expiresInHours },
    CLI_ACTOR,
  );
  return describeCreatedInvite(created, config.signup);
}

async function runThroughServer(config: Config, command: AdminCommand): Promise<string> {
  const handle = readAdminHandle(config.dataDir);
  if (!handle) throw new DataDirLockedError(config.dataDir);
  if (command.kind === 'invite' || command.kind === 'invites') {
    return inviteThroughServer(handle, config, command);
  }
  const [path, body] =
    command.kind === 'set-plan'
      ? ['/api/admin/users/plan', { email: command.email, plan: command.plan }]
      : ['/api/admin/users/role', { email: command.email, role: command.role }];
  const response = await fetch(`${handle.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-admin-token': handle.token },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    const payload = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(payload?.error?.message ?? `the running server answered ${response.status}`);
  }
  return `${describe(command)} (through the running server at ${handle.url})`;
}

/** The same invite commands over the running server's admin API (it holds the embedded database). */
async function inviteThroughServer(
  handle: { url: string; token: string },
  config: Config,
  command: InviteCommand,
): Promise<string> {
  const creating = command.kind === 'invite';
  const response = await fetch(`${handle.url}/api/admin/invites`, {
    method: creating ? 'POST' : 'GET',
    headers: {
      'x-admin-token': handle.token,
      ...(creating ? { 'content-type': 'application/json' } : {}),
    },
    ...(creating
      ? { body: JSON.stringify({ email: command.email, expiresInHours: command.expiresInHours }) }
      : {}),
  });
  const payload = (await response.json().catch(() => null)) as unknown;
  if (!response.ok) {
    const message = (payload as { error?: { message?: string } } | null)?.error?.message;
    throw new Error(message ?? `the running server answered ${response.status}`);
  }
  const text = creating
    ? describeCreatedInvite(payload as CreatedInvite, config.signup)
    : describeInvites(payload as InviteView[]);
  return `${text}\n(through the running server at ${handle.url})`;
}

function describe(command: Exclude<AdminCommand, InviteCommand>): string {
  return command.kind === 'set-plan'
    ? `${command.email}: plan ${command.plan ?? 'removed (no plan)'}`
    : `${command.email}: role ${command.role}`;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  // A driver's or Redis's message may quote a URL or a password: the CLI's output is redacted too.
  const message = redactSecrets(error instanceof Error ? error.message : String(error));
  process.stderr.write(`admin: ${message}\n`);
  if (error instanceof AdminUsageError) process.stderr.write(USAGE);
  process.exitCode = error instanceof ConfigError || error instanceof AppError ? 2 : 1;
});
