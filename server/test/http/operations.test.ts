import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggerOptions } from '../../src/http/logger-options.js';
import { as, buildTestApp, signUp, type TestApp } from '../helpers/build-test-app.js';

describe('operations endpoints', () => {
  let t: TestApp;
  const logLines: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    t = await buildTestApp({ logger: pino({ ...loggerOptions('info') }, sink) });
  });
  afterAll(() => t.close());

  it('answers liveness and readiness with the LLM endpoint described', async () => {
    expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      status: 'ready',
      checks: { database: { ok: true }, llm: { mode: 'proxy', catalog: expect.any(Object) } },
    });
  });

  it('serves an OpenAPI document that covers the API', async () => {
    const document = (await t.app.inject('/api/openapi.json')).json();
    expect(document.openapi).toMatch(/^3\./);
    for (const path of ['/api/chatbots', '/api/chatbots/{id}', '/api/me', '/api/llm/models', '/readyz']) {
      expect(Object.keys(document.paths)).toContain(path);
    }
    expect((await t.app.inject('/api/docs')).statusCode).toBeLessThan(400);
  });

  it('exposes Prometheus metrics including request durations', async () => {
    await t.app.inject('/healthz');
    const metrics = await t.app.inject('/metrics');
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toContain('process_cpu_seconds_total');
    expect(metrics.body).toContain('http_request_duration_seconds_count{method="GET",route="/healthz"');
  });

  it('sets security headers and answers unknown API routes with the error shape', async () => {
    const response = await t.app.inject('/api/nothing-here');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: { code: 'not_found', message: 'No route GET /api/nothing-here' },
    });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it('keeps request ids and never logs cookies or credentials', async () => {
    const cookie = await signUp(t.app, 'logged@example.com', 'my-secret-password-123');
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { ...as(cookie), authorization: 'Bearer sk-sentinel-123', 'x-request-id': 'req-abc-1' },
    });
    expect(response.statusCode).toBe(200);
    const all = logLines.join('');
    expect(all).toContain('req-abc-1');
    const sessionToken = cookie.split('=')[1]!.split(';')[0]!;
    expect(all).not.toContain(sessionToken);
    expect(all).not.toContain('sk-sentinel-123');
    expect(all).not.toContain('my-secret-password-123');
  });

  it('writes one access line per request, without its query, and none for the health probes', async () => {
    logLines.length = 0;
    await t.app.inject({ url: '/api/config?token=one-time-123', headers: { 'x-request-id': 'req-line-1' } });
    await t.app.inject('/healthz');
    await t.app.inject({ url: '/api/nothing-here', headers: { 'x-request-id': 'req-line-2' } });
    const lines = logLines
      .join('')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === 'request completed');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        reqId: 'req-line-1',
        method: 'GET',
        url: '/api/config',
        statusCode: 200,
      }),
      expect.objectContaining({ reqId: 'req-line-2', url: '/api/nothing-here', statusCode: 404 }),
    ]);
    expect(lines[0]?.responseTime).toEqual(expect.any(Number));
    expect(logLines.join('')).not.toContain('one-time-123');
  });

  it('turns readiness to 503 when the database stops answering', async () => {
    const other = await buildTestApp();
    await other.database.close();
    const ready = await other.app.inject('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks.database.ok).toBe(false);
    await other.app.close();
  });
});
