import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { conversations, usageRecords } from '../../src/db/schema.js';
import type { TestApp } from '../helpers/build-test-app.js';
import { createTestDatabase } from '../helpers/test-database.js';
import type { Database } from '../../src/db/database.js';
import {
  owner,
  publicChat,
  publish,
  publishingRig,
  setPlan,
  settings,
  visitorToken,
  type PublishingRig,
} from './publishing-fixtures.js';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PARALLEL = 50;

type Outcome = { status: number; code: string | null };

/** Reads a public response to its end: 200 (the streamed answer) or the refusal's code. */
async function outcome(response: Response): Promise<Outcome> {
  if (response.status === 200) {
    await response.text();
    return { status: 200, code: null };
  }
  const body = (await response.json()) as { error: { code: string } };
  return { status: response.status, code: body.error.code };
}

/**
 * Attack tests: two instances of one deployment (one database, one Redis), 50 parallel requests
 * split across them. No cap may be passed, whichever instance a request lands on.
 */
describe('visitor caps across two instances', () => {
  let rig: PublishingRig;
  let database: Database;
  let a: TestApp;
  let bases: [string, string];

  beforeAll(async () => {
    rig = await publishingRig({ REDIS_URL: redisUrl });
    database = await createTestDatabase();
    const first = await rig.startApp({ database });
    const second = await rig.startApp({ database });
    a = first.t;
    bases = [first.base, second.base];
  });
  afterAll(async () => {
    await rig.close();
    await database.close();
  });

  const limits = (overrides: Partial<ReturnType<typeof settings>['limits']>) => ({
    ...settings().limits,
    ...overrides,
  });
  const base = (index: number) => bases[index % 2]!;

  it(`messagesPerHour: 10 of ${PARALLEL} parallel messages of one visitor pass`, async () => {
    const who = await owner(a);
    const slug = await publish(a, who, { limits: limits({ messagesPerHour: 10, concurrentAnswers: 20 }) });
    const token = await visitorToken(bases[0], slug);
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, (_, index) =>
        publicChat(base(index), slug, token, { message: `q${index} [[mock:deltas=2]]` }).then(outcome),
      ),
    );
    expect(results.filter((result) => result.status === 200)).toHaveLength(10);
    expect(
      new Set(
        results.filter((result) => result.status !== 200).map((result) => `${result.status} ${result.code}`),
      ),
    ).toEqual(new Set(['429 visitor_limit']));
  });

  it(`concurrentAnswers: at most 2 of ${PARALLEL} parallel slow answers run`, async () => {
    const who = await owner(a);
    const slug = await publish(a, who, { limits: limits({ concurrentAnswers: 2, messagesPerHour: 1000 }) });
    const token = await visitorToken(bases[1], slug);
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, (_, index) =>
        publicChat(base(index), slug, token, { message: `slow ${index} [[mock:deltas=40,slow=50]]` }).then(
          outcome,
        ),
      ),
    );
    const admitted = results.filter((result) => result.status === 200).length;
    expect(admitted).toBeGreaterThanOrEqual(1);
    expect(admitted).toBeLessThanOrEqual(2);
    expect(results.filter((result) => result.code === 'visitor_concurrency').length).toBe(
      PARALLEL - admitted,
    );
  });

  it(`perIpPerHour: 5 of ${PARALLEL} parallel visitor tokens from one address`, async () => {
    const who = await owner(a);
    const slug = await publish(a, who, { limits: limits({ perIpPerHour: 5 }) });
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, (_, index) =>
        fetch(`${base(index)}/api/public/bots/${slug}/visitors`, { method: 'POST' }).then((response) =>
          response.status === 200 ? { status: 200, code: null } : outcome(response),
        ),
      ),
    );
    expect(results.filter((result) => result.status === 200)).toHaveLength(5);
    expect(results.filter((result) => result.code === 'ip_limit')).toHaveLength(PARALLEL - 5);
  });

  it(`the bot's monthly spend cap holds under ${PARALLEL} parallel visitors`, async () => {
    const who = await owner(a);
    const cap = 0.0004;
    const slug = await publish(a, who, { limits: limits({ monthlySpendCapUsd: cap }) });
    const tokens = await Promise.all(
      Array.from({ length: PARALLEL }, (_, index) => visitorToken(base(index), slug)),
    );
    // A first wave, settled; then the attack: the counter now holds real spend, not only holds.
    for (const [index, token] of tokens.slice(0, 3).entries()) {
      await outcome(
        await publicChat(base(index), slug, token, { message: `warm ${index} [[mock:deltas=3]]` }),
      );
    }
    const results = await Promise.all(
      tokens.map((token, index) =>
        publicChat(base(index), slug, token, { message: `buy ${index} [[mock:deltas=3]]` }).then(outcome),
      ),
    );
    const admitted = results.filter((result) => result.status === 200).length;
    expect(admitted).toBeGreaterThanOrEqual(1);
    expect(admitted).toBeLessThan(PARALLEL);
    expect(results.filter((result) => result.code === 'bot_spend_cap')).toHaveLength(PARALLEL - admitted);
    // What the ledger charged the owner for this bot's visitors (catalog price × tokens here).
    const [spent] = await database.db
      .select({ costUsd: sql<string | number | null>`sum(${usageRecords.costUsd})` })
      .from(usageRecords)
      .where(eq(usageRecords.chatbotId, who.chatbotId));
    console.log(
      `spend cap: ${admitted} admitted in parallel, spent ${Number(spent?.costUsd ?? 0)} of ${cap}`,
    );
    expect(Number(spent?.costUsd ?? 0)).toBeGreaterThan(0);
    expect(Number(spent?.costUsd ?? 0)).toBeLessThanOrEqual(cap);
    // Refused before anything was written: no empty conversations are left behind.
    const [count] = await database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(conversations)
      .where(eq(conversations.chatbotId, who.chatbotId));
    expect(Number(count?.n)).toBe(admitted + 3);
  });

  it("goes dark on both instances at once when the owner's plan loses publishing", async () => {
    const who = await owner(a);
    const slug = await publish(a, who);
    const token = await visitorToken(bases[1], slug);
    for (const url of bases) expect((await fetch(`${url}/api/public/bots/${slug}`)).status).toBe(200);
    await setPlan(a, who.email, 'free');
    expect((await fetch(`${bases[0]}/api/public/bots/${slug}`)).status).toBe(404);
    // B hears of the change over Redis (pub/sub): allow it the time of one message.
    const deadline = Date.now() + 1000;
    let status = 200;
    while (Date.now() < deadline && status !== 404) {
      status = (await fetch(`${bases[1]}/api/public/bots/${slug}`)).status;
      if (status !== 404) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(status).toBe(404);
    for (const url of bases) {
      const chat = await publicChat(url, slug, token, { message: 'still there?' });
      expect(chat.status).toBe(404);
      await chat.text();
    }
    expect((await fetch(`${bases[1]}/api/public/gallery`)).status).toBe(200);
  });
});
