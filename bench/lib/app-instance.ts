import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { startNode, stop, waitForHttp, type Started } from './processes.js';

/** Arm B: the production build of the app as its own process, with a signed-up user and a chatbot. */

export interface AppInstance {
  started: Started;
  origin: string;
  cookie: string;
  chatbotId: string;
  close(): Promise<void>;
}

export interface AppInstanceOptions {
  repoRoot: string;
  workDir: string;
  label: string;
  mockUrl: string;
  mockApiKey: string;
  model: string;
  databaseUrl: string | null;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  /** Extra environment for the process (the app's own settings above take precedence). */
  env?: Record<string, string>;
  /** Several instances of one deployment share it (a session cookie works on each). Default: random. */
  authSecret?: string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startApp(options: AppInstanceOptions): Promise<AppInstance> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const dataDir = path.join(options.workDir, `data-${options.label}`);
  mkdirSync(dataDir, { recursive: true });
  const env: Record<string, string> = {
    ...options.env,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    APP_URL: origin,
    DATA_DIR: dataDir,
    BETTER_AUTH_SECRET: options.authSecret ?? randomBytes(32).toString('base64url'),
    LLM_BASE_URL: options.mockUrl,
    LLM_API_KEY: options.mockApiKey,
    LLM_MODEL_CHAT: options.model,
    // A path that does not exist: the catalog comes from LLM_MODEL_CHAT plus discovery at the mock.
    LITELLM_CONFIG_PATH: path.join(dataDir, 'no-litellm-config.yaml'),
    LOG_LEVEL: 'info',
    // As the compose stack runs it against LiteLLM (75 s keep-alive there, 70 s here): the mock keeps
    // idle connections 65 s, so an idle upstream socket outlives the pauses of the interleaved arms.
    LLM_KEEPALIVE_MS: '60000',
    // One bench user sends thousands of requests a minute: lift the per-user request rate (the
    // limiter still runs on every request, so its cost is measured; only its refusals are off).
    RATE_LIMIT_DEFAULT_PER_MINUTE: '1000000',
    RATE_LIMIT_SIGN_UPS_PER_HOUR: '100000',
  };
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  const started = startNode(path.join(options.repoRoot, 'server/dist/main.js'), {
    cwd: options.repoRoot,
    env,
    nodeArgs: options.nodeArgs ?? [],
    logPath: path.join(options.workDir, `app-${options.label}.log`),
  });
  try {
    await waitForHttp(`${origin}/healthz`, started, 60_000);
    const cookie = await signUp(origin);
    const chatbotId = await createChatbot(origin, cookie);
    return { started, origin, cookie, chatbotId, close: () => stop(started, 15_000) };
  } catch (error) {
    await stop(started);
    throw error;
  }
}

/** Signs a new user up, then in (a sign-up never signs in: it answers the same for a taken email). */
async function signUp(origin: string): Promise<string> {
  const email = `bench-${randomBytes(4).toString('hex')}@example.com`;
  const password = randomBytes(12).toString('base64url');
  const headers = { 'content-type': 'application/json', origin };
  const signedUp = await fetch(`${origin}/api/auth/sign-up/email`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ email, password, name: 'Bench User' }),
  });
  if (!signedUp.ok) throw new Error(`sign-up: HTTP ${signedUp.status} ${await signedUp.text()}`);
  const response = await fetch(`${origin}/api/auth/sign-in/email`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ email, password }),
  });
  if (!response.ok) throw new Error(`sign-in: HTTP ${response.status} ${await response.text()}`);
  const cookie = response.headers
    .getSetCookie()
    .map((value) => value.split(';', 1)[0])
    .join('; ');
  if (!cookie) throw new Error('sign-in: no session cookie');
  return cookie;
}

async function createChatbot(origin: string, cookie: string): Promise<string> {
  const response = await fetch(`${origin}/api/chatbots`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin, cookie },
    body: JSON.stringify({ name: 'Bench bot', systemPrompt: benchSystemPrompt }),
  });
  if (!response.ok) throw new Error(`create chatbot: HTTP ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

/** The same system prompt goes to the mock directly (A, E) and through the app (B). */
export const benchSystemPrompt =
  'You are a concise assistant used for benchmarking. Answer in one paragraph.';
