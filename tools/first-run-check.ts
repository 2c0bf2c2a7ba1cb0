/**
 * CI: the README's first run, as a newcomer does it. Clones the repo (committed HEAD) into a temp
 * folder, runs the quick start's two commands (`npm ci`, `npm start`) with nothing configured and a
 * free PORT, then checks that the server is ready, that it listens on 127.0.0.1 only (from
 * /proc/net/tcp{,6}: every listening socket of that port), that the data landed in `./data` of the
 * clone (what the README says), and that a signed-out `/` in Chromium is the landing page.
 *
 *   node --import tsx tools/first-run-check.ts
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { envVarNames } from '../server/src/config/env.js';

const repo = path.resolve(import.meta.dirname, '..');
const READY_TIMEOUT_MS = 240_000;
const started = Date.now();

function step(message: string) {
  process.stdout.write(`first-run: ${message} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

/**
 * A free port outside the kernel's ephemeral range (32768+), so a test server elsewhere on the
 * machine started with port 0 cannot take it between this check and `npm start`.
 */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port found in 20000-29999');
}

/** A newcomer's environment: none of the app's variables, whatever CI exported. */
function cleanEnvironment(port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port) };
  for (const name of [...envVarNames, 'TEST_DATABASE_URL', 'TEST_REDIS_URL', 'INIT_CWD']) {
    if (name !== 'PORT') delete env[name];
  }
  return env;
}

/** Local addresses of the sockets listening on `port` (IPv4 and IPv6), from /proc. */
export function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const found: string[] = [];
  for (const [file, decode] of [
    ['/proc/net/tcp', decodeIPv4],
    ['/proc/net/tcp6', decodeIPv6],
  ] as const) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== '0A') continue; // 0A: LISTEN
      const [address, localPort] = local.split(':');
      if (localPort === hexPort) found.push(decode(address!));
    }
  }
  return found;
}

function decodeIPv4(hex: string): string {
  return [3, 2, 1, 0].map((index) => parseInt(hex.slice(index * 2, index * 2 + 2), 16)).join('.');
}

function decodeIPv6(hex: string): string {
  // Four little-endian 32-bit words.
  const words = hex.match(/.{8}/g)!.map((word) => word.match(/../g)!.reverse().join(''));
  return words.join('').match(/.{4}/g)!.join(':');
}

/** Ready: our server said so on its output (not just anything on that port), and /readyz answers 200. */
async function waitForReady(
  url: string,
  server: { exited: boolean; output: () => string; said: (text: string) => boolean },
) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.exited) throw new Error(`npm start exited before it was ready:\n${server.output()}`);
    const ok =
      server.said('Chatbot Builder ready') &&
      (await fetch(url)
        .then((response) => response.status === 200)
        .catch(() => false));
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`not ready after ${READY_TIMEOUT_MS / 1000} s:\n${server.output()}`);
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'first-run-'));
  const clone = path.join(work, 'repo');
  let stop = async () => {};
  try {
    execFileSync('git', ['clone', '--quiet', '--local', repo, clone], { stdio: 'inherit' });
    step('cloned');
    const port = await freePort();
    const env = cleanEnvironment(port);
    // The README's two commands, as typed at the clone's root.
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: clone,
      env,
      stdio: 'inherit',
    });
    step('npm ci done');
    const child = spawn('npm', ['start'], {
      cwd: clone,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const server = {
      exited: false,
      output: () => output.slice(-4000),
      said: (text: string) => output.includes(text),
    };
    child.on('exit', () => (server.exited = true));
    stop = async () => {
      if (server.exited) return;
      process.kill(-child.pid!, 'SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    };

    await waitForReady(`http://127.0.0.1:${port}/readyz`, server);
    step(`ready on port ${port}`);
    if (!server.said(`Open http://localhost:${port} in your browser`)) {
      throw new Error(`the start-up line does not say what to open:\n${server.output()}`);
    }

    const addresses = listeningAddresses(port);
    if (addresses.length === 0 || addresses.some((address) => address !== '127.0.0.1')) {
      throw new Error(
        `port ${port} should listen on 127.0.0.1 only; it listens on: ${addresses.join(', ') || 'nothing'}`,
      );
    }
    step(`listens on ${addresses.join(', ')} only`);

    if (!fs.existsSync(path.join(clone, 'data')) || fs.existsSync(path.join(clone, 'server', 'data'))) {
      throw new Error('the embedded database should be in ./data of the folder npm start ran in (README)');
    }
    step('data in ./data');

    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.locator('[data-testid="landing"]').waitFor({ timeout: 30_000 });
    } finally {
      await browser.close();
    }
    step('a signed-out / is the landing page');
  } finally {
    await stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
  step('passed');
}

main().catch((error: unknown) => {
  process.stderr.write(`first-run: FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
