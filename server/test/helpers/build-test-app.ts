import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from '../../src/app.js';
import { createAuth } from '../../src/auth/create-auth.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import type { Database } from '../../src/db/database.js';
import type { LlmClient } from '../../src/llm/client.js';
import type { LlmBackend } from '../../src/llm/create-llm-backend.js';
import { startModelAccess } from '../../src/runtime/model-access.js';
import { createTestDatabase } from './test-database.js';

export const TEST_ORIGIN = 'http://localhost:3000';

export interface TestApp {
  app: FastifyInstance;
  database: Database;
  config: Config;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  llmClient?: LlmClient;
  llm?: LlmBackend;
  adminCliToken?: string | null;
  /** Share a database with another test app (two instances of one deployment). Not closed by close(). */
  database?: Database;
  /** Capture the app's log lines (e.g. to prove secrets never reach them). */
  logger?: Logger;
}

/** The real app over a fresh database, with test settings; the LLM is a fake unless given. */
export async function buildTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    APP_URL: TEST_ORIGIN,
    BETTER_AUTH_SECRET: 'test-secret-test-secret-test-secret-0123',
    LITELLM_CONFIG_PATH: '/nonexistent/litellm.yaml',
    LLM_DISCOVERY: 'false',
    // Every injected request comes from one IP: keep the per-IP auth limits out of unrelated tests.
    RATE_LIMIT_SIGN_UPS_PER_HOUR: '100000',
    RATE_LIMIT_SIGN_INS_PER_MINUTE: '100000',
    ...options.env,
  });
  const database = options.database ?? (await createTestDatabase());
  const auth = createAuth({
    db: database.db,
    secret: config.auth.secret!,
    baseUrl: config.server.appUrl,
    trustedOrigins: config.server.trustedOrigins,
    secureCookies: config.server.appUrl.startsWith('https://'),
    signup: config.signup,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const llm: LlmBackend = options.llm ?? {
    client: options.llmClient ?? unusedLlmClient,
    mode: 'proxy',
    endpoint: 'http://fake-llm.invalid/v1',
    close: async () => {},
  };
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  const models = await startModelAccess(config, quiet);
  const app = await buildApp({
    config,
    database,
    auth,
    llm,
    catalog: models.catalog,
    plans: models.plans,
    ...(options.logger ? { logger: options.logger } : {}),
    spaDir: null,
    adminCliToken: options.adminCliToken ?? null,
  });
  await app.ready();
  return {
    app,
    database,
    config,
    close: async () => {
      await app.close();
      await models.close();
      if (!options.database) await database.close();
    },
  };
}

const unusedLlmClient: LlmClient = {
  generate: () => Promise.reject(new Error('no LLM client given to buildTestApp')),
  chatStream: () => {
    throw new Error('no LLM client given to buildTestApp');
  },
};

/**
 * Signs a new user up, then in (a sign-up never signs in: it answers the same for a taken email),
 * and returns the cookie header that carries their session.
 */
export async function signUp(
  app: FastifyInstance,
  email: string,
  password = 'correct horse battery',
): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-up/email',
    headers: { origin: TEST_ORIGIN, 'content-type': 'application/json' },
    payload: { email, password, name: email.split('@')[0] },
  });
  if (response.statusCode !== 200) throw new Error(`sign-up failed: ${response.statusCode} ${response.body}`);
  return signIn(app, email, password);
}

/** Signs in and returns the cookie header that carries the new session. */
export async function signIn(
  app: FastifyInstance,
  email: string,
  password = 'correct horse battery',
): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-in/email',
    headers: { origin: TEST_ORIGIN, 'content-type': 'application/json' },
    payload: { email, password },
  });
  if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`);
  return cookieHeader(response.headers['set-cookie']);
}

export function cookieHeader(setCookie: string | string[] | undefined): string {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return list.map((cookie) => cookie.split(';')[0]).join('; ');
}

/** Headers of a signed-in browser request (cookie + same-origin). */
export function as(cookie: string): Record<string, string> {
  return { cookie, origin: TEST_ORIGIN };
}
