import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpTransport, readText } from '../../src/llm/stream-transport.js';

/** An upstream that counts the TCP connections it accepted; `keepAliveTimeout` is what it announces. */
async function countingUpstream(keepAliveTimeout: number) {
  const server = http.createServer({ keepAliveTimeout }, (_request, response) => {
    response.end('data: [DONE]\n\n');
  });
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`);
  return {
    url,
    connections: () => connections,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('createHttpTransport keep-alive', () => {
  let upstream: Awaited<ReturnType<typeof countingUpstream>> | null = null;
  afterEach(async () => {
    await upstream?.close();
    upstream = null;
  });

  async function call(transport: ReturnType<typeof createHttpTransport>, url: URL) {
    const response = await transport({ url, headers: {}, body: '{}', signal: new AbortController().signal });
    expect(await readText(response.body)).toBe('data: [DONE]\n\n');
  }

  it('reuses an idle connection within keepAliveMs and opens a new one after it', async () => {
    upstream = await countingUpstream(65_000);
    const transport = createHttpTransport(300);
    await call(transport, upstream.url);
    await sleep(50);
    await call(transport, upstream.url);
    expect(upstream.connections()).toBe(1);
    await sleep(600);
    await call(transport, upstream.url);
    expect(upstream.connections()).toBe(2);
  });

  it('closes sooner when the upstream announces a shorter keep-alive than keepAliveMs', async () => {
    // The server says `Keep-Alive: timeout=2`; Node's agent then keeps the socket 1 s, not 60 s.
    upstream = await countingUpstream(2_000);
    const transport = createHttpTransport(60_000);
    await call(transport, upstream.url);
    await sleep(1_300);
    await call(transport, upstream.url);
    expect(upstream.connections()).toBe(2);
  });
});
