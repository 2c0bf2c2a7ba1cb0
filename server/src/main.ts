import { buildApp } from './app.js';
import { createLogger } from './http/logger-options.js';
import { startModelAccess } from './runtime/model-access.js';
import { createAuth } from './auth/create-auth.js';
import { ConfigError, loadConfig, readEnvironment, resolveAuthSecret, type Config } from './config/index.js';
import { createDatabase } from './db/create-db.js';
import { DataDirLockedError } from './db/data-dir-lock.js';
import { createLlmBackend } from './llm/create-llm-backend.js';
import { newAdminToken, writeAdminHandle } from './runtime/admin-handle.js';
import { defaultSpaDir } from './runtime/paths.js';
import { listenMessage } from './runtime/listen-message.js';
import { displayUrl, redactSecrets, registerSecrets } from './logging/redact.js';

/** Process entry: config → database → LLM backend → app → listen; closes gracefully on signals. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.server.logLevel);
  const { secret, generatedAt } = resolveAuthSecret(config.auth.secret, config.dataDir);
  registerSecrets([secret]);
  const database = await openDatabase(config);
  const llm = await createLlmBackend(config.llm);
  const auth = createAuth({
    db: database.db,
    secret,
    baseUrl: config.server.appUrl,
    trustedOrigins: config.server.trustedOrigins,
    secureCookies: config.server.appUrl.startsWith('https://'),
    logger,
    signup: config.signup,
  });
  const models = await startModelAccess(config, {
    info: (message) => logger.info(message),
    warn: (message) => logger.warn(message),
    error: (message) => logger.error(message),
  });
  const adminCliToken = database.kind === 'pglite' ? newAdminToken() : null;
  registerSecrets([adminCliToken]);
  const app = await buildApp({
    config,
    database,
    auth,
    llm,
    catalog: models.catalog,
    plans: models.plans,
    logger,
    spaDir: defaultSpaDir(),
    adminCliToken,
  });

  if (generatedAt) app.log.warn(`BETTER_AUTH_SECRET is not set: generated one and kept it in ${generatedAt}`);
  logLlmMode(app.log, llm.mode, llm.endpoint);

  const address = await app.listen({ port: config.server.port, host: config.server.host });
  const removeHandle = adminCliToken
    ? writeAdminHandle(config.dataDir, {
        url: `http://127.0.0.1:${new URL(address).port}`,
        token: adminCliToken,
        pid: process.pid,
      })
    : () => {};
  const port = Number(new URL(address).port);
  // Without APP_URL the app's URL is the default made from PORT: show the address actually bound.
  const defaultUrl = config.server.appUrl === `http://localhost:${config.server.port}`;
  app.log.info(
    listenMessage({
      host: config.server.host,
      port,
      appUrl: defaultUrl ? null : config.server.appUrl,
      database: database.kind,
    }),
  );
  logger.flush(); // the line a supervisor waits for, at once

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info(
      `${signal} received: finishing in-flight requests (up to ${config.server.shutdownGraceMs} ms)`,
    );
    // At the end of the grace period, drop connections still open (e.g. a client that stopped
    // reading after its answer ended); if even that does not let close() finish, exit anyway.
    const dropConnections = setTimeout(() => app.server.closeAllConnections(), config.server.shutdownGraceMs);
    dropConnections.unref();
    const force = setTimeout(() => {
      app.log.error('graceful shutdown timed out: exiting');
      process.exit(1);
    }, config.server.shutdownGraceMs + 2_000);
    force.unref();
    try {
      await app.close();
      await models.close();
      await llm.close();
      await database.close();
    } finally {
      removeHandle();
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

async function openDatabase(config: Config) {
  try {
    return await createDatabase(
      config.database.kind === 'postgres' ? config.database : { kind: 'pglite', dataDir: config.dataDir },
    );
  } catch (error) {
    if (error instanceof DataDirLockedError || config.database.kind !== 'postgres') throw error;
    const reason = error instanceof Error ? error.message : String(error);
    exitWith(`cannot use the database at DATABASE_URL (${displayUrl(config.database.url)}): ${reason}`);
  }
}

function loadConfigOrExit(): Config {
  try {
    return loadConfig(readEnvironment());
  } catch (error) {
    if (error instanceof ConfigError) exitWith(error.message);
    throw error;
  }
}

function logLlmMode(
  log: { info(message: string): void; warn(message: string): void },
  mode: string,
  endpoint: string,
) {
  if (mode === 'demo') {
    log.warn(
      'LLM mode: OFFLINE DEMO. Answers are canned by the built-in demo model. ' +
        'Set LLM_BASE_URL (a LiteLLM proxy) or LLM_API_KEY (OpenAI) to use real models; see docs/llm.md.',
    );
  } else {
    log.info(`LLM mode: ${mode} (${endpoint})`);
  }
}

/** The start-up error line(s) on stderr; a driver's or a fetch's message may quote a URL or a key. */
function exitWith(message: string): never {
  process.stderr.write(`Cannot start: ${redactSecrets(message).split('\n').join('\nCannot start: ')}\n`);
  process.exit(1);
}

main().catch((error: unknown) => {
  if (error instanceof DataDirLockedError || error instanceof ConfigError) exitWith(error.message);
  const message = error instanceof Error ? error.message : String(error);
  exitWith(message.split('\n')[0] ?? 'unknown error');
});
