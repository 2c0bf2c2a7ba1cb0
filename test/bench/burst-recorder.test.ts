import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const recorder = path.resolve(import.meta.dirname, '../../bench/lib/burst-recorder.mjs');
const workDir = mkdtempSync(path.join(tmpdir(), 'burst-recorder-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

// A front server that forwards chat requests to an upstream in another process (as the app and the
// bare proxy do); other requests (a health check, a POST to /api/chatbots) must not count as turns.
const server = `
import http from 'node:http';
import { spawn } from 'node:child_process';
const upstreamCode = \`
  const server = require('node:http').createServer((request, response) => {
    request.resume();
    request.on('end', () => setTimeout(() => response.end('data: [DONE]\\\\n\\\\n'), 20));
  });
  server.listen(0, '127.0.0.1', () => console.log(server.address().port));
\`;
const upstreamProcess = spawn(process.execPath, ['-e', upstreamCode], { stdio: ['ignore', 'pipe', 'inherit'] });
const upstreamPort = await new Promise((resolve) => upstreamProcess.stdout.once('data', (data) => resolve(Number(data))));
const frontServer = http.createServer((request, response) => {
  request.resume();
  if (!request.url.endsWith('/chat')) return response.end('ok');
  const upstream = http.request({ port: upstreamPort, method: 'POST', path: '/v1/chat/completions' }, (answer) => answer.pipe(response));
  upstream.end('{}');
});
const frontPort = await new Promise((resolve) => frontServer.listen(0, '127.0.0.1', () => resolve(frontServer.address().port)));
const send = (method, path) => new Promise((resolve) => {
  const request = http.request({ port: frontPort, method, path }, (response) => response.resume().on('end', resolve));
  request.end(method === 'POST' ? '{}' : undefined);
});
await send('GET', '/healthz');
await send('POST', '/api/chatbots');
await Promise.all([1, 2, 3].map(() => send('POST', '/api/chatbots/one/chat')));
upstreamProcess.kill();
process.exit(0);
`;

describe('bench/lib/burst-recorder.mjs', () => {
  it('times each chat request, its upstream request and the upstream answer, from Node’s channels', async () => {
    const script = path.join(workDir, 'server.mjs');
    const file = path.join(workDir, 'times.json');
    writeFileSync(script, server);
    await promisify(execFile)(process.execPath, ['--import', recorder, script], {
      env: { ...process.env, BURST_RECORD_FILE: file },
      timeout: 20_000,
    });
    const times = JSON.parse(readFileSync(file, 'utf8')) as {
      arrivals: number[];
      upstreamSends: number[];
      upstreamHeads: number[];
      clock: { nowMs: number; monotonicUs: number };
    };
    expect(times.arrivals).toHaveLength(3);
    expect(times.upstreamSends).toHaveLength(3);
    expect(times.upstreamHeads).toHaveLength(3);
    // Each upstream request leaves after the first chat request arrived; answers come after the
    // upstream's 20 ms.
    expect(Math.min(...times.upstreamSends)).toBeGreaterThanOrEqual(Math.min(...times.arrivals));
    expect(Math.min(...times.upstreamHeads)).toBeGreaterThanOrEqual(Math.max(...times.upstreamSends));
    expect(Math.min(...times.upstreamHeads) - Math.min(...times.upstreamSends)).toBeGreaterThanOrEqual(15);
    expect(times.clock.nowMs).toBeGreaterThanOrEqual(Math.max(...times.upstreamHeads));
    expect(times.clock.monotonicUs).toBeGreaterThan(0);
  });
});
