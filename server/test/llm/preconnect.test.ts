import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PreconnectingAgent } from '../../src/llm/preconnecting-agent.js';
import { createHttpTransport, readText } from '../../src/llm/stream-transport.js';
import { as, buildTestApp } from '../helpers/build-test-app.js';
import { FakeLlmClient } from '../helpers/fake-llm-client.js';
import { userWithChatbot } from '../chat/chat-fixtures.js';

let server: Server;
let url: URL;
let sockets: Socket[];

beforeEach(async () => {
  sockets = [];
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.end('ok'));
  });
  server.on('connection', (socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`);
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function until(check: () => boolean): Promise<void> {
  for (let waited = 0; !check(); waited += 5) {
    if (waited > 2000) throw new Error('timed out waiting');
    await sleep(5);
  }
}

function get(agent: PreconnectingAgent): Promise<string> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { agent }, (response) => {
      void readText(response.setEncoding('utf8')).then(resolve, reject);
    })
      .on('error', reject)
      .end();
  });
}

describe('preconnecting to the upstream', () => {
  it('opens the connection ahead, and the request that follows uses it', async () => {
    const transport = createHttpTransport();
    transport.preconnect?.(url);
    transport.preconnect?.(url); // one spare per origin, however many requests announce themselves
    await until(() => sockets.length === 1);
    const response = await transport({
      url,
      headers: { 'content-type': 'application/json' },
      body: '{}',
      signal: new AbortController().signal,
    });
    expect(await readText(response.body)).toBe('ok');
    expect(sockets).toHaveLength(1);
  });

  it('opens nothing while an idle kept-alive socket is there to take', async () => {
    const agent = new PreconnectingAgent({ keepAlive: true, timeout: 4000 });
    try {
      expect(await get(agent)).toBe('ok');
      await sleep(10); // the socket is back in the pool
      agent.preconnect(url);
      expect(await get(agent)).toBe('ok');
      expect(sockets).toHaveLength(1);
    } finally {
      agent.destroy();
    }
  });

  it('closes a spare nobody used after the idle timeout, and connects anew afterwards', async () => {
    const agent = new PreconnectingAgent({ keepAlive: true, timeout: 100 });
    try {
      agent.preconnect(url);
      await until(() => sockets.length === 1);
      await until(() => sockets[0]?.destroyed === true || sockets[0]?.readyState === 'writeOnly');
      expect(await get(agent)).toBe('ok');
      expect(sockets).toHaveLength(2);
    } finally {
      agent.destroy();
    }
  });

  it('drops a spare that failed to connect quietly; the request then reports its own error', async () => {
    const closed = new URL(url);
    await new Promise((resolve) => server.close(resolve)); // nothing listens on the port any more
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const agent = new PreconnectingAgent({ keepAlive: true, timeout: 4000 });
    try {
      agent.preconnect(closed);
      await sleep(50);
      url = closed;
      await expect(get(agent)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      agent.destroy();
    }
  });
});

describe('chat requests announce their turn', () => {
  class CountingClient extends FakeLlmClient {
    preconnects = 0;
    preconnect(): void {
      this.preconnects++;
    }
  }

  it('preconnects for a signed-in chat or regenerate request, never for an anonymous one', async () => {
    const llm = new CountingClient();
    const t = await buildTestApp({ llmClient: llm });
    try {
      const alice = await userWithChatbot(t, 'preconnect@example.com');
      const chat = (headers: Record<string, string>) =>
        t.app.inject({
          method: 'POST',
          url: `/api/chatbots/${alice.chatbotId}/chat`,
          headers: { ...headers, accept: 'application/json' },
          payload: { message: 'Hello' },
        });
      expect((await chat(as(''))).statusCode).toBe(401);
      expect(llm.preconnects).toBe(0);
      const answered = await chat(as(alice.cookie));
      expect(answered.statusCode).toBe(200);
      expect(llm.preconnects).toBe(1);
      const again = await t.app.inject({
        method: 'POST',
        url: `/api/conversations/${answered.json().conversationId as string}/regenerate`,
        headers: { ...as(alice.cookie), accept: 'application/json' },
      });
      expect(again.statusCode).toBe(200);
      expect(llm.preconnects).toBe(2);
    } finally {
      await t.close();
    }
  });
});
