import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlmBackend, type LlmBackend } from '../../src/llm/create-llm-backend.js';
import { as, buildTestApp, signUp, type TestApp } from '../helpers/build-test-app.js';

/** A server with no LLM settings wires the real client to the in-process demo upstream. */
describe('offline demo mode, through the app wiring', () => {
  let t: TestApp;
  let llm: LlmBackend;
  let cookie: string;

  beforeAll(async () => {
    llm = await createLlmBackend(
      {
        baseUrl: null,
        apiKey: null,
        modelChat: 'chat-default',
        timeoutMs: 5_000,
        keepAliveMs: 4_000,
        maxRetries: null,
      },
      { demoTtftMs: 0, demoInterTokenMs: 0 },
    );
    t = await buildTestApp({ llm });
    cookie = await signUp(t.app, 'demo@example.com');
  });
  afterAll(async () => {
    await t.close();
    await llm.close();
  });

  it('says it is in demo mode and offers the one demo model', async () => {
    expect(llm.mode).toBe('demo');
    const info = (await t.app.inject({ method: 'GET', url: '/api/config' })).json();
    expect(info.llmMode).toBe('demo');
    const models = (
      await t.app.inject({ method: 'GET', url: '/api/llm/models', headers: as(cookie) })
    ).json();
    expect(models).toEqual([expect.objectContaining({ id: 'chat-default', provider: 'demo' })]);
    const ready = (await t.app.inject({ method: 'GET', url: '/readyz' })).json();
    expect(ready.checks.llm.mode).toBe('demo');
  });

  it('streams a demo answer end to end over real HTTP', async () => {
    const bot = (
      await t.app.inject({
        method: 'POST',
        url: '/api/chatbots',
        headers: as(cookie),
        payload: { name: 'Demo' },
      })
    ).json();
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const response = await fetch(`${address}/api/chatbots/${bot.id}/chat`, {
      method: 'POST',
      headers: { ...as(cookie), 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'What can you do?' }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    // The hijacked stream keeps the API's security headers.
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const body = await response.text();
    expect(body).toMatch(/^event: meta\n/);
    expect(body).toContain('event: delta');
    expect(body).toMatch(/event: done\n[^\n]*"finishReason":"stop"/);
    expect(body.toLowerCase()).toContain('demo');
  });
});
