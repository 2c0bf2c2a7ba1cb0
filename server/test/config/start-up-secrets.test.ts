import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sentinel } from '../security/hostile-upstream.js';

const run = promisify(execFile);
const serverRoot = path.resolve(import.meta.dirname, '../..');

async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function baseEnv(dataDir: string): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATA_DIR: dataDir };
}

/**
 * The real process entry (src/main.ts, as `npm run dev` runs it): what it prints on stdout and stderr
 * and what /readyz answers, with the secrets in the places an operator puts them.
 */
describe('the server process never prints a credential', () => {
  const llmUrlKey = sentinel('proc-url-key');
  const llmUser = sentinel('proc-user');
  const apiKey = sentinel('proc-api-key');
  const redisPassword = sentinel('proc-redis');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'start-up-secrets-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  let llmPort: number;
  let redisPort: number;
  beforeAll(async () => {
    llmPort = await closedPort();
    redisPort = await closedPort();
  });

  it('with a credentialed LLM_BASE_URL and REDIS_URL on closed ports: not in its output, not in /readyz', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: serverRoot,
      env: {
        ...baseEnv(dataDir),
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'trace',
        LLM_BASE_URL: `http://${llmUser}:${llmUrlKey}@127.0.0.1:${llmPort}/v1`,
        LLM_API_KEY: apiKey,
        REDIS_URL: `redis://default:${redisPassword}@127.0.0.1:${redisPort}/0`,
        LITELLM_CONFIG_PATH: '/nonexistent/litellm.yaml',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const address = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line:\n${stdout}\n${stderr}`)), 30_000);
        const look = () => {
          const found = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
          if (found && stdout.includes('Chatbot Builder ready')) {
            clearTimeout(timer);
            resolve(found[1]!);
          }
        };
        child.stdout.on('data', look);
        void exited.then(() => reject(new Error(`exited early:\n${stdout}\n${stderr}`)));
      });
      const ready = await (await fetch(`${address}/readyz`)).text();
      expect(ready).toContain('"discovery":"unreachable"');
      expect(ready).toContain(`http://127.0.0.1:${llmPort}`);
      expect(ready).toContain('ECONNREFUSED');
      child.kill('SIGTERM');
      await exited;
      const everything = `${stdout}\n${stderr}\n${ready}`;
      expect(stdout).toContain('model discovery failed');
      for (const secret of [llmUrlKey, llmUser, apiKey, redisPassword])
        expect(everything).not.toContain(secret);
    } finally {
      child.kill('SIGKILL');
    }
  });

  /** The start-up refusals on stderr (one line each, exit 1). */
  async function start(env: Record<string, string>) {
    try {
      await run(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: serverRoot,
        env: { ...baseEnv(dataDir), ...env },
        timeout: 30_000,
      });
      return { code: 0, stderr: '' };
    } catch (error) {
      const failed = error as { code: number; stderr: string };
      return { code: failed.code, stderr: failed.stderr };
    }
  }

  it('an unusable DATABASE_URL is named without its password, wherever the URL holds it', async () => {
    const password = sentinel('db-password');
    const queryPassword = sentinel('db-query-password');
    const port = await closedPort();
    const result = await start({
      DATABASE_URL: `postgres://app:${password}@127.0.0.1:${port}/app?password=${queryPassword}`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `Cannot start: cannot use the database at DATABASE_URL (postgres://127.0.0.1:${port}/app)`,
    );
    expect(result.stderr).not.toContain(password);
    expect(result.stderr).not.toContain(queryPassword);
  });

  it('an invalid URL setting is quoted without its credentials', async () => {
    const password = sentinel('bad-url');
    for (const [name, value] of [
      ['DATABASE_URL', `mysql://app:${password}@db/app`],
      ['REDIS_URL', `http://default:${password}@cache:6379`],
      ['LLM_BASE_URL', `ftp://user:${password}@litellm:4000`],
    ] as const) {
      const result = await start({ [name]: value });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`Cannot start: Invalid environment variable ${name}=`);
      expect(result.stderr).not.toContain(password);
    }
  });
});
