import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { messages, usageRecords } from '../../src/db/schema.js';
import { OpenAICompatibleClient } from '../../src/llm/openai-compatible-client.js';
import { as, buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { userWithChatbot } from '../chat/chat-fixtures.js';
import { SseReader } from '../chat/sse-client.js';
import { deltaText, trackUnhandledRejections } from './fault-rig.js';

/** What the scripted upstream answers next: content pieces and the raw `usage` of the last chunk. */
interface Script {
  pieces: string[];
  usage: unknown;
}

/**
 * An OpenAI-compatible upstream that says exactly what a test scripts, byte for byte (NULs, absurd
 * usage numbers): what the project's mock will not send.
 */
async function startScriptedUpstream() {
  const queue: Script[] = [];
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const script = queue.shift() ?? {
        pieces: ['Fine.'],
        usage: { prompt_tokens: 3, completion_tokens: 1 },
      };
      const chunk = (body: object) =>
        `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'chat-default', ...body })}\n\n`;
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      let out = chunk({
        choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
      });
      for (const piece of script.pieces) {
        out += chunk({ choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
      }
      out += chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
      // Raw text for the usage: JSON.stringify would turn 1e300 into 1e+300 (fine) but not keep -0 etc.
      out += `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"chat-default","choices":[],"usage":${
        typeof script.usage === 'string' ? script.usage : JSON.stringify(script.usage)
      }}\n\n`;
      response.end(`${out}data: [DONE]\n\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    next: (script: Script) => queue.push(script),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Issue 18 item 6a: a NUL in an answer or out-of-range usage numbers made the final write fail while
 * the client was told `done`, and the ledger got no row. Text and usage are cleaned where they enter
 * (server/src/llm/model-output.ts), and `done` is sent only after the final write succeeded.
 */
describe('hostile model output', () => {
  let upstream: Awaited<ReturnType<typeof startScriptedUpstream>>;
  let t: TestApp;
  let base: string;
  let user: { cookie: string; userId: string; chatbotId: string };
  let unhandled: ReturnType<typeof trackUnhandledRejections>;

  beforeAll(async () => {
    unhandled = trackUnhandledRejections();
    upstream = await startScriptedUpstream();
    t = await buildTestApp({
      llmClient: new OpenAICompatibleClient({
        baseURL: upstream.url,
        apiKey: 'sk-test',
        defaultModel: 'chat-default',
        timeoutMs: 5_000,
        maxRetries: 0,
      }),
      env: { RATE_LIMIT_DEFAULT_PER_MINUTE: '1000000' },
    });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    user = await userWithChatbot(t, 'hostile@example.com');
  });
  afterAll(async () => {
    await t.close();
    await upstream.close();
    unhandled.remove();
  });
  afterEach(() => expect(unhandled.reasons).toEqual([]));

  const turn = async () => {
    const response = await fetch(`${base}/api/chatbots/${user.chatbotId}/chat`, {
      method: 'POST',
      headers: { ...as(user.cookie), 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'Say something odd' }),
    });
    expect(response.status).toBe(200);
    const events = await new SseReader(response).readAll();
    const meta = events[0]!.data as { assistantMessageId: string };
    const row = (
      await t.database.db.select().from(messages).where(eq(messages.id, meta.assistantMessageId))
    )[0];
    return { events, row };
  };
  const ledgerRows = () =>
    t.database.db.select().from(usageRecords).where(eq(usageRecords.userId, user.userId));

  it.each<[string, unknown]>([
    ['negative and 1e300 token counts', '{"prompt_tokens":1e300,"completion_tokens":-7}'],
    ['counts past int4, fractions', '{"prompt_tokens":3000000000,"completion_tokens":2.5}'],
    ['strings and nulls', '{"prompt_tokens":"12","completion_tokens":null}'],
    ['a 1e300 cost beside plausible counts', '{"prompt_tokens":20,"completion_tokens":4,"cost":1e300}'],
  ])(
    'stores an answer with NULs and %s: done after the write, text as sent, a ledger row',
    async (_name, usage) => {
      const before = new Set((await ledgerRows()).map((record) => record.id));
      upstream.next({ pieces: ['Hello\u0000 wor', 'ld\u0000', '\u0000', '!'], usage });
      const { events, row } = await turn();
      expect(events.at(-1)!.event).toBe('done');
      expect(deltaText(events)).toBe('Hello world!');
      expect(row).toMatchObject({ status: 'complete', content: 'Hello world!' });
      const added = (await ledgerRows()).filter((record) => !before.has(record.id));
      expect(added).toHaveLength(1);
      const [record] = added;
      for (const value of [record!.promptTokens, record!.completionTokens, record!.costUsd]) {
        expect(Number.isFinite(value)).toBe(true);
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThan(1e9);
      }
      const done = events.at(-1)!.data as { usage: { promptTokens: number; completionTokens: number } };
      expect(done.usage).toEqual({
        promptTokens: row!.promptTokens,
        completionTokens: row!.completionTokens,
      });
    },
  );

  it('keeps a believable report as it is', async () => {
    upstream.next({ pieces: ['Plain.'], usage: { prompt_tokens: 21, completion_tokens: 2 } });
    const { events, row } = await turn();
    expect(events.at(-1)!.data).toMatchObject({ usage: { promptTokens: 21, completionTokens: 2 } });
    expect(row).toMatchObject({ promptTokens: 21, completionTokens: 2 });
  });

  it('sends `error`, never `done`, when the final write ultimately fails', async () => {
    // The ledger refuses every row: the turn's one final statement fails on each of its 3 tries.
    await t.database.db.execute(sql`
      create or replace function refuse_usage() returns trigger language plpgsql as
      $$ begin raise exception 'ledger unavailable'; end $$`);
    await t.database.db.execute(sql`
      create trigger refuse_usage before insert on usage_records for each row execute function refuse_usage()`);
    try {
      upstream.next({
        pieces: ['An answer ', 'nobody stored.'],
        usage: { prompt_tokens: 5, completion_tokens: 4 },
      });
      const { events, row } = await turn();
      expect(events.map((event) => event.event)).not.toContain('done');
      expect(events.at(-1)).toEqual({
        event: 'error',
        data: {
          code: 'service_unavailable',
          message: expect.stringContaining('could not be saved') as string,
          seq: 'An answer nobody stored.'.length,
        },
      });
      // The row is left to recovery (marked `interrupted` once stale), never shown as complete.
      expect(row!.status).toBe('streaming');
    } finally {
      await t.database.db.execute(sql`drop trigger refuse_usage on usage_records`);
    }
  });
});
