import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMockLlm } from '@app/mock-llm';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** http://localhost:<port> of the app under test. */
    baseUrl: string;
    /** The server's environment, for the admin CLI (`set-plan`). */
    serverEnv: Record<string, string>;
  }
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const serverEntry = path.join(repoRoot, 'server/dist/main.js');
const spaIndex = path.join(repoRoot, 'web/dist/index.html');
const artifactsDir = fileURLToPath(new URL('./artifacts/', import.meta.url));
const litellmConfig = fileURLToPath(new URL('./fixtures/litellm.e2e.yaml', import.meta.url));

function freePort(): Promise<number> {
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

async function waitForReady(url: string, child: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`the server exited with code ${child.exitCode}; see ${artifactsDir}server.log`);
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.ok) return;
      last = `HTTP ${response.status}: ${await response.text()}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the server was not ready within ${timeoutMs} ms (${last}); see ${artifactsDir}server.log`);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export default async function setup(project: TestProject) {
  for (const file of [serverEntry, spaIndex]) {
    if (!existsSync(file))
      throw new Error(`${file} is missing: run \`npm run build\` first (npm run test:e2e does).`);
  }
  mkdirSync(artifactsDir, { recursive: true });

  const mock = await startMockLlm({
    apiKey: 'test-key',
    interTokenMs: 5,
    models: [
      { id: 'chat-default', provider: 'openai', maxOutputTokens: 16_384 },
      { id: 'claude-default', provider: 'anthropic' },
      { id: 'gemini-default', provider: 'google' },
      { id: 'prompt-helper', provider: 'openai' },
    ],
  });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'chatbot-e2e-'));
  const port = await freePort();
  const baseUrl = `http://localhost:${port}`;
  const serverEnv: Record<string, string> = {
    PORT: String(port),
    DATA_DIR: dataDir,
    NODE_ENV: 'test',
    BETTER_AUTH_SECRET: 'e2e-secret-e2e-secret-e2e-secret-0123456789',
    APP_URL: baseUrl,
    // Every browser in these tests signs up from 127.0.0.1: lift the per-IP auth limits.
    RATE_LIMIT_SIGN_UPS_PER_HOUR: '10000',
    RATE_LIMIT_SIGN_INS_PER_MINUTE: '10000',
    LLM_BASE_URL: mock.url.replace(/\/v1\/?$/, ''),
    LLM_API_KEY: 'test-key',
    LLM_MODEL_CHAT: 'chat-default',
    LLM_MODEL_PROMPT_GEN: 'prompt-helper',
    LITELLM_CONFIG_PATH: litellmConfig,
    LLM_PLAN_MODELS_JSON: JSON.stringify({
      basic: ['chat-default'],
      pro: ['chat-default', 'claude-default'],
      enterprise: ['*'],
    }),
  };

  const log = createWriteStream(path.join(artifactsDir, 'server.log'));
  const child = spawn(process.execPath, [serverEntry], {
    cwd: dataDir, // no stray .env from the repo
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dataDir, ...serverEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);

  try {
    await waitForReady(baseUrl, child, 60_000);
  } catch (error) {
    await stop(child);
    await mock.close();
    throw error;
  }

  // The first account on an instance becomes its administrator (issue 25): take that seat here, so
  // every account the specs sign up is a normal user, whatever order the specs run in.
  await signUpOperator(baseUrl);

  project.provide('baseUrl', baseUrl);
  project.provide('serverEnv', serverEnv);

  return async () => {
    await stop(child);
    await mock.close();
    log.end();
    rmSync(dataDir, { recursive: true, force: true });
  };
}

async function signUpOperator(baseUrl: string): Promise<void> {
  const response = await fetch(`${baseUrl}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: baseUrl },
    body: JSON.stringify({
      name: 'Operator',
      email: 'e2e-operator@example.com',
      password: 'operator password 1',
    }),
  });
  if (!response.ok) throw new Error(`could not sign up the operator account: ${response.status}`);
}
