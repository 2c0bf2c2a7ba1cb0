import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm } from '@app/mock-llm';
import { messages, usageRecords } from '../../src/db/schema.js';
import { OpenAICompatibleClient } from '../../src/llm/openai-compatible-client.js';
import { as, buildTestApp, signUp, type TestApp } from '../helpers/build-test-app.js';
import { SseReader } from './sse-client.js';

type ErrorBody = { error: { code: string; message: string } };

/**
 * Issue 18 item 6b: the one-answer-per-conversation guard was an in-process registry, so parallel
 * turns into one conversation all got through (5 of 6 on one instance, 6 of 6 across two) and their
 * answers interleaved. The database decides now (one `streaming` answer per conversation, a unique
 * index claimed by the turn start): exactly one wins, the others get 409 `conflict`, send nothing
 * upstream and are charged nothing. PostgreSQL when TEST_DATABASE_URL is set, PGlite otherwise.
 */
describe('one answer per conversation, enforced by the database', () => {
  let mock: MockLlm;
  let a: TestApp;
  let b: TestApp;
  let baseA: string;
  let baseB: string;
  let cookie: string;
  let userId: string;
  let chatbotId: string;

  beforeAll(async () => {
    mock = await startMockLlm({ interTokenMs: 10 });
    const client = () =>
      new OpenAICompatibleClient({
        baseURL: mock.url,
        apiKey: 'sk-test',
        defaultModel: 'chat-default',
        timeoutMs: 5_000,
        maxRetries: 0,
      });
    const env = { RATE_LIMIT_DEFAULT_PER_MINUTE: '1000000' };
    a = await buildTestApp({ llmClient: client(), env });
    b = await buildTestApp({ llmClient: client(), env, database: a.database });
    baseA = await a.app.listen({ port: 0, host: '127.0.0.1' });
    baseB = await b.app.listen({ port: 0, host: '127.0.0.1' });
    cookie = await signUp(a.app, `guard-${crypto.randomUUID()}@example.com`);
    userId = (await a.app.inject({ method: 'GET', url: '/api/me', headers: as(cookie) })).json().id;
    chatbotId = (
      await a.app.inject({
        method: 'POST',
        url: '/api/chatbots',
        headers: as(cookie),
        payload: { name: 'x' },
      })
    ).json().id;
  });
  afterAll(async () => {
    await b.close();
    await a.close();
    await mock.close();
  });

  const post = (base: string, path: string, body: object) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { ...as(cookie), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const chatRequests = () =>
    mock.requests.filter((request) => request.path.endsWith('/chat/completions')).length;
  const ledger = async () =>
    (await a.database.db.select().from(usageRecords).where(eq(usageRecords.userId, userId))).length;
  const rowsOf = (conversationId: string) =>
    a.database.db.select().from(messages).where(eq(messages.conversationId, conversationId));

  /** A conversation with one finished turn, ready for the next. */
  async function conversation(): Promise<string> {
    const response = await post(baseA, `/api/chatbots/${chatbotId}/chat`, { message: 'Hello' });
    const events = await new SseReader(response).readAll();
    expect(events.at(-1)!.event).toBe('done');
    return (events[0]!.data as { conversationId: string }).conversationId;
  }

  /** Six turns into one conversation at once, sent to the given instances in turn. */
  async function race(bases: string[]) {
    const conversationId = await conversation();
    const [requestsBefore, ledgerBefore] = [chatRequests(), await ledger()];
    // Six open keep-alive connections per instance first, so the six turns arrive together.
    await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        fetch(`${bases[index % bases.length]!}/api/me`, { headers: as(cookie) }).then((response) =>
          response.arrayBuffer(),
        ),
      ),
    );
    const responses = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        post(bases[index % bases.length]!, `/api/chatbots/${chatbotId}/chat`, {
          conversationId,
          message: `Parallel ${index} [[mock:deltas=30]]`,
        }),
      ),
    );
    const winners = responses.filter((response) => response.status === 200);
    const losers = responses.filter((response) => response.status !== 200);
    expect(winners).toHaveLength(1);
    for (const loser of losers) {
      expect(loser.status).toBe(409);
      expect(((await loser.json()) as ErrorBody).error).toEqual({
        code: 'conflict',
        message: 'This conversation is still answering; stop it or wait for it to finish',
      });
    }
    const events = await new SseReader(winners[0]!).readAll();
    expect(events.at(-1)!.event).toBe('done');
    // One upstream call, one ledger row: the losers sent nothing and were charged nothing.
    expect(chatRequests() - requestsBefore).toBe(1);
    expect((await ledger()) - ledgerBefore).toBe(1);
    // No interleaving: the first turn, then exactly one more question and its answer.
    const rows = await rowsOf(conversationId);
    expect(rows.map((row) => `${row.role}:${row.status}`).sort()).toEqual(
      ['assistant:complete', 'assistant:complete', 'user:complete', 'user:complete'].sort(),
    );
  }

  it('lets exactly one of 6 parallel turns through on one instance', async () => {
    await race([baseA]);
  });

  it('lets exactly one of 6 parallel turns through across two instances on one database', async () => {
    await race([baseA, baseB]);
  });

  it('refuses a regenerate while the answer still streams, on the other instance too', async () => {
    const conversationId = await conversation();
    const live = await post(baseA, `/api/chatbots/${chatbotId}/chat`, {
      conversationId,
      message: 'A long one [[mock:deltas=100]]',
    });
    const reader = new SseReader(live);
    await reader.until('delta');
    const regenerate = await post(baseB, `/api/conversations/${conversationId}/regenerate`, {});
    expect(regenerate.status).toBe(409);
    expect(((await regenerate.json()) as ErrorBody).error.code).toBe('conflict');
    expect((await reader.readAll()).at(-1)!.event).toBe('done');
    // Once it ended, the conversation takes the next turn at once.
    const next = await post(baseB, `/api/conversations/${conversationId}/regenerate`, {});
    expect(next.status).toBe(200);
    expect((await new SseReader(next).readAll()).at(-1)!.event).toBe('done');
  });
});
