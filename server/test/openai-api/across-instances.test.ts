import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import pino from 'pino';
import { startMockLlm, type MockLlm } from '@app/mock-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { as } from '../helpers/build-test-app.js';
import { createChatbot, createKey, newOwner, startApiFixture, type ApiFixture } from './openai-fixtures.js';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Two instances of one deployment (one database, one Redis): revocation and caps hold across both. */
describe('API keys across two instances', () => {
  let mock: MockLlm;
  let a: ApiFixture;
  let b: ApiFixture;
  let cookie: string;
  const lines: string[] = [];

  beforeAll(async () => {
    // Priced like the catalog, so the usage the upstream reports costs what the caps count.
    mock = await startMockLlm({
      interTokenMs: 1,
      models: [
        {
          id: 'chat-default',
          supportsFunctionCalling: true,
          inputCostPerToken: 0.000001,
          outputCostPerToken: 0.000002,
        },
      ],
    });
    const env = { REDIS_URL: redisUrl, RATE_LIMIT_DEFAULT_PER_MINUTE: '100000' };
    const logger = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
    a = await startApiFixture({ mock, env, logger });
    b = await startApiFixture({ mock, env, database: a.t.database, logger });
    ({ cookie } = await newOwner(a.t, `across-${randomUUID()}@example.com`));
    await createChatbot(a.t, cookie, { name: 'Shared bot' });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
    await mock.close();
  });

  const post = (base: string, secret: string, body: Record<string, unknown> = {}) =>
    fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'shared-bot', messages: [{ role: 'user', content: 'hi' }], ...body }),
    });

  it('a key revoked on A fails on B within a second', async () => {
    const { secret, key } = await createKey(a.t, cookie);
    const onB = new OpenAI({ baseURL: `${b.base}/v1`, apiKey: secret, maxRetries: 0 });
    await expect(onB.models.list()).resolves.toBeDefined(); // B now holds the key in memory
    const revokedAt = Date.now();
    const revoke = await a.t.app.inject({
      method: 'DELETE',
      url: `/api/api-keys/${key.id}`,
      headers: as(cookie),
    });
    expect(revoke.statusCode).toBe(204);
    await expect
      .poll(
        async () =>
          onB.models.list().then(
            () => 'ok',
            (error: unknown) => (error instanceof OpenAI.AuthenticationError ? 'refused' : String(error)),
          ),
        { timeout: 1_000, interval: 10 },
      )
      .toBe('refused');
    expect(Date.now() - revokedAt).toBeLessThan(1_000);
  });

  it("a key's requests per minute hold under 50 parallel requests on two instances", async () => {
    const { secret } = await createKey(a.t, cookie, { requestsPerMinute: 10 });
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, index) => post(index % 2 ? a.base : b.base, secret)),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(40);
    const refused = responses.find((response) => response.status === 429)!;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limit_exceeded');
    await Promise.all(responses.filter((response) => !response.bodyUsed).map((response) => response.text()));
  });

  it("a key's monthly spend cap holds under 50 parallel requests on two instances", async () => {
    const cap = 0.0003;
    const { secret, key } = await createKey(a.t, cookie, { monthlySpendCapUsd: cap });
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, index) => post(index % 2 ? a.base : b.base, secret, { max_tokens: 20 })),
    );
    const statuses = responses.map((response) => response.status);
    await Promise.all(responses.map((response) => response.text()));
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThan(0);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    expect(statuses.every((status) => status === 200 || status === 429)).toBe(true);
    const rows = await a.t.database.db.execute<{ spent: number | string }>(
      sql`select coalesce(sum(cost_usd), 0) as spent from usage_records where api_key_id = ${key.id}`,
    );
    const spent = Number((rows as unknown as { rows: Array<{ spent: number | string }> }).rows[0]!.spent);
    expect(spent).toBeGreaterThan(0);
    expect(spent).toBeLessThanOrEqual(cap);
  });

  it('no log line of either instance holds a secret', async () => {
    const { secret } = await createKey(a.t, cookie);
    mock.enqueue({ status: 500 });
    await (await post(a.base, secret)).text();
    await (await post(b.base, `${secret}x`)).text();
    await (await post(b.base, secret, { stream: true })).text();
    // The error lines of the failed call are there, and none holds the secret (nor its secret part).
    expect(lines.some((line) => line.includes('"level":40') && line.includes('upstream'))).toBe(true);
    for (const line of lines) expect(line).not.toContain(secret.slice(12));
  });
});
