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

/** An upstream running `respond` for every request, with what it was sent. */
async function upstreamWith(respond: (response: http.ServerResponse) => void, host = '127.0.0.1') {
  const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (piece: string) => (body += piece));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      respond(response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  const url = new URL(
    `http://${hostInUrl}:${(server.address() as AddressInfo).port}/v1/chat/completions?x=1`,
  );
  return {
    url,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('createHttpTransport requests and bodies', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });
  async function upstream(respond: (response: http.ServerResponse) => void, host?: string) {
    const started = await upstreamWith(respond, host);
    closers.push(started.close);
    return started;
  }

  it('sends the method, path, host, length and given headers, and reads status and headers', async () => {
    const { url, received } = await upstream((response) => {
      response.writeHead(201, { 'x-litellm-model-group': 'gpt' });
      response.end('ok');
    });
    const body = JSON.stringify({ text: 'naïve' });
    const response = await createHttpTransport()({
      url,
      headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
      body,
      signal: new AbortController().signal,
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('X-LiteLLM-Model-Group')).toBe('gpt');
    expect(await readText(response.body)).toBe('ok');
    expect(received[0]?.body).toBe(body);
    expect(received[0]?.headers).toMatchObject({
      host: url.host,
      'content-length': String(Buffer.byteLength(body)),
      authorization: 'Bearer k',
      'content-type': 'application/json',
      connection: 'keep-alive',
    });
  });

  it('reaches an upstream at an IPv6 address', async () => {
    const { url, received } = await upstream((response) => response.end('six'), '::1');
    const response = await createHttpTransport()({
      url,
      headers: {},
      body: '{}',
      signal: new AbortController().signal,
    });
    expect(await readText(response.body)).toBe('six');
    expect(received[0]?.headers.host).toBe(url.host);
  });

  it('refuses a header value that would split the request', async () => {
    const { url, received } = await upstream((response) => response.end());
    const sending = createHttpTransport()({
      url,
      headers: { authorization: 'Bearer k\r\nx-injected: 1' },
      body: '{}',
      signal: new AbortController().signal,
    });
    await expect(sending).rejects.toThrow(/Invalid character in header/);
    expect(received).toEqual([]);
  });

  it('holds the upstream back while the reader does not read', async () => {
    const total = 64 * 2 ** 20;
    let written = 0;
    const { url } = await upstream((response) => {
      const piece = Buffer.alloc(64 * 1024, 'x');
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const pump = () => {
        while (written < total) {
          written += piece.length;
          if (!response.write(piece)) return void response.once('drain', pump);
        }
        response.end();
      };
      pump();
    });
    const response = await createHttpTransport()({
      url,
      headers: {},
      body: '{}',
      signal: new AbortController().signal,
    });
    await sleep(300);
    // What the two sockets' kernel buffers and the body's 64 KiB hold, far below the whole.
    expect(written).toBeLessThan(total / 2);
    let read = 0;
    for await (const piece of response.body) read += piece.length;
    expect(read).toBe(total);
  });

  it('ends the reader with an error when the connection is cut mid-body', async () => {
    const { url } = await upstream((response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: first\n\n', () => setTimeout(() => response.socket?.destroy(), 20));
    });
    const response = await createHttpTransport()({
      url,
      headers: {},
      body: '{}',
      signal: new AbortController().signal,
    });
    const pieces: string[] = [];
    await expect(
      (async () => {
        for await (const piece of response.body) pieces.push(piece);
      })(),
    ).rejects.toThrow();
    expect(pieces).toEqual(['data: first\n\n']);
  });

  it('an abort drops what arrived but was not read yet', async () => {
    const { url } = await upstream((response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: one\n\n');
      setTimeout(() => response.write('data: two\n\n'), 10);
    });
    const controller = new AbortController();
    const response = await createHttpTransport()({ url, headers: {}, body: '{}', signal: controller.signal });
    await sleep(100);
    controller.abort();
    await expect(response.body[Symbol.asyncIterator]().next()).rejects.toThrow('aborted');
  });

  it('an abort mid-body closes the connection and ends the reader', async () => {
    let closed = false;
    const { url } = await upstream((response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: first\n\n');
      response.on('close', () => (closed = true));
    });
    const controller = new AbortController();
    const response = await createHttpTransport()({ url, headers: {}, body: '{}', signal: controller.signal });
    const iterator = response.body[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ value: 'data: first\n\n', done: false });
    controller.abort();
    await expect(iterator.next()).rejects.toThrow();
    await sleep(50);
    expect(closed).toBe(true);
  });
});
