import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startMockLlm, type MockLlm, type MockModel } from '@app/mock-llm';

/**
 * A second app server (and mock upstream) for a spec that needs its own catalog or plans, beside the
 * one global-setup starts for every spec. Same build (server/dist), same kind of environment.
 */
export interface OwnServer {
  baseUrl: string;
  mock: MockLlm;
  /** The admin CLI against this server: `set-plan <email> <plan>`. */
  setPlan(email: string, plan: string): Promise<void>;
  /** The admin CLI against this server: `set-role <email> <admin|user>`. */
  setRole(email: string, role: 'admin' | 'user'): Promise<void>;
  close(): Promise<void>;
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const serverEntry = path.join(repoRoot, 'server/dist/main.js');
const adminCli = path.join(repoRoot, 'server/dist/admin.js');
const artifactsDir = fileURLToPath(new URL('../artifacts/', import.meta.url));

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

async function waitForReady(url: string, child: ChildProcess, logName: string) {
  const deadline = Date.now() + 60_000;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`the server exited with code ${child.exitCode}; see ${artifactsDir}${logName}`);
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the server was not ready in time (${last}); see ${artifactsDir}${logName}`);
}

export async function startOwnServer(options: {
  name: string;
  models: MockModel[];
  env: Record<string, string>;
}): Promise<OwnServer> {
  mkdirSync(artifactsDir, { recursive: true });
  const mock = await startMockLlm({ apiKey: 'test-key', interTokenMs: 2, models: options.models });
  const dataDir = mkdtempSync(path.join(tmpdir(), `chatbot-e2e-${options.name}-`));
  const port = await freePort();
  const baseUrl = `http://localhost:${port}`;
  const env: Record<string, string> = {
    PORT: String(port),
    DATA_DIR: dataDir,
    NODE_ENV: 'test',
    BETTER_AUTH_SECRET: 'e2e-secret-e2e-secret-e2e-secret-0123456789',
    APP_URL: baseUrl,
    RATE_LIMIT_SIGN_UPS_PER_HOUR: '10000',
    RATE_LIMIT_SIGN_INS_PER_MINUTE: '10000',
    LLM_BASE_URL: mock.url.replace(/\/v1\/?$/, ''),
    LLM_API_KEY: 'test-key',
    LLM_MODEL_CHAT: 'chat-default',
    LLM_MODEL_PROMPT_GEN: 'prompt-helper',
    ...options.env,
  };
  const logName = `server-${options.name}.log`;
  const log = createWriteStream(path.join(artifactsDir, logName));
  const child = spawn(process.execPath, [serverEntry], {
    cwd: dataDir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const stop = () =>
    child.exitCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          child.kill('SIGTERM');
        });
  try {
    await waitForReady(baseUrl, child, logName);
  } catch (error) {
    await stop();
    await mock.close();
    throw error;
  }
  return {
    baseUrl,
    mock,
    async setPlan(email, plan) {
      await promisify(execFile)(process.execPath, [adminCli, 'set-plan', email, plan], {
        env: { ...process.env, ...env },
        cwd: dataDir,
      });
    },
    async setRole(email, role) {
      await promisify(execFile)(process.execPath, [adminCli, 'set-role', email, role], {
        env: { ...process.env, ...env },
        cwd: dataDir,
      });
    },
    async close() {
      await stop();
      await mock.close();
      log.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
