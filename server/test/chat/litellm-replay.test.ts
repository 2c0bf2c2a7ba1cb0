import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { ChatDoneEvent, ChatErrorEvent } from '@app/common';
import { messages } from '../../src/db/schema.js';
import { OpenAICompatibleClient } from '../../src/llm/openai-compatible-client.js';
import { withAnswerAttribution } from '../../src/services/chat/answer-attribution.js';
import { attributeAnswer } from '../../src/services/chat/fallback.js';
import { as, buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { startReplayServer, type ReplayServer, type ReplayVariant } from '../helpers/recording-replay.js';
import { collect, terminal, user } from '../llm/stream-helpers.js';
import { userWithChatbot } from './chat-fixtures.js';
import { SSE_FRAMING, SseReader, type SseEvent } from './sse-client.js';

/**
 * What a real LiteLLM 1.81.13 sent, byte for byte (test/fixtures/litellm-recordings), played through
 * our real client and chat service over real HTTP: the turn we store and what the browser is told.
 * The catalog is the recorded proxy's own config.yaml, discovered from its recorded /model_group/info
 * and /model/info, as in production.
 */
const RECORDINGS = fileURLToPath(new URL('../../../test/fixtures/litellm-recordings/', import.meta.url));
const TEXT = 'Hello from the mock upstream. This is';
const ALIASES = [
  'chat-default',
  'claude-default',
  'reasoning-default',
  'chat-cut',
  'claude-cut',
  'claude-overloaded-stream',
  'chat-fault-500',
  'chat-fault-500-stream',
  'chat-fault-429',
  'chat-context-window',
];

interface StreamedCase {
  recording: string;
  model: string;
  variant?: ReplayVariant;
  stored: {
    status: 'complete' | 'error';
    content: string;
    errorCode?: string;
    modelGroup?: string | null;
    attemptedFallbacks?: number | null;
  };
  /** The done event's usage and cost (the reported ones), or the error event's code. */
  end:
    | {
        event: 'done';
        usage?: ChatDoneEvent['usage'];
        costUsd?: number;
        answeredBy?: string;
        fallback?: true;
      }
    | { event: 'error'; code: string };
}

const streamed: Array<[string, StreamedCase]> = [
  [
    'stream-openai: a plain answer',
    {
      recording: 'stream-openai',
      model: 'chat-default',
      stored: { status: 'complete', content: TEXT, modelGroup: 'chat-default' },
      end: { event: 'done', usage: { promptTokens: 25, completionTokens: 8 }, costUsd: 0.0000228 },
    },
  ],
  [
    'stream-openai-no-usage: [DONE] without the usage chunk asked for is a cut, kept as error',
    {
      recording: 'stream-openai-no-usage',
      model: 'chat-default',
      stored: { status: 'error', content: TEXT, errorCode: 'unexpected_end' },
      end: { event: 'error', code: 'unexpected_end' },
    },
  ],
  [
    'stream-anthropic: Claude through LiteLLM, cache fields in the usage',
    {
      recording: 'stream-anthropic',
      model: 'claude-default',
      stored: { status: 'complete', content: TEXT },
      end: { event: 'done', usage: { promptTokens: 31, completionTokens: 8 }, costUsd: 0.000213 },
    },
  ],
  [
    'reasoning-stream: reasoning deltas are not answer text; usage counts them',
    {
      recording: 'reasoning-stream',
      model: 'reasoning-default',
      stored: { status: 'complete', content: 'Hello from the mock upstream.' },
      end: { event: 'done', usage: { promptTokens: 25, completionTokens: 11 }, costUsd: 0.0000759 },
    },
  ],
  [
    'fallback-stream: named by the deployment id through /model/info (no model-group header in 1.81)',
    {
      recording: 'fallback-stream',
      model: 'claude-overloaded-stream',
      stored: { status: 'complete', content: TEXT, modelGroup: 'chat-default', attemptedFallbacks: 1 },
      end: {
        event: 'done',
        usage: { promptTokens: 25, completionTokens: 8 },
        answeredBy: 'chat-default',
        fallback: true,
      },
    },
  ],
  [
    'fallback-stream as newer LiteLLM (≥ 1.108) sends it: named by the model-group header',
    {
      recording: 'fallback-stream',
      model: 'claude-overloaded-stream',
      variant: {
        addHeaders: [
          ['x-litellm-model-group', 'chat-default'],
          ['x-litellm-attempted-fallbacks', '1'],
        ],
        dropHeaders: ['x-litellm-model-id'],
      },
      stored: { status: 'complete', content: TEXT, modelGroup: 'chat-default', attemptedFallbacks: 1 },
      end: { event: 'done', answeredBy: 'chat-default', fallback: true },
    },
  ],
  [
    'midstream-cut-aiohttp: the cut looks like a normal end (LiteLLM 1.81 default transport): stored complete',
    {
      recording: 'midstream-cut-aiohttp',
      model: 'chat-cut',
      stored: { status: 'complete', content: 'Hello from the mock' },
      end: { event: 'done', usage: { promptTokens: 20, completionTokens: 4 } },
    },
  ],
  [
    'midstream-cut-httpx: the in-band error keeps the partial text, stored as error',
    {
      recording: 'midstream-cut-httpx',
      model: 'chat-cut',
      stored: { status: 'error', content: 'Hello from the mock', errorCode: 'unexpected_end' },
      end: { event: 'error', code: 'unexpected_end' },
    },
  ],
  [
    'midstream-cut-with-fallback: the continuation is the configured fallback’s, not the alias that failed',
    {
      recording: 'midstream-cut-with-fallback',
      model: 'claude-cut',
      stored: {
        status: 'complete',
        content: `Hello from the mock${TEXT}`,
        modelGroup: 'chat-default',
        attemptedFallbacks: 1,
      },
      // The usage chunk is the fallback's alone (LiteLLM reports no usage for the cut part).
      end: {
        event: 'done',
        usage: { promptTokens: 121, completionTokens: 8 },
        answeredBy: 'chat-default',
        fallback: true,
      },
    },
  ],
  [
    'midstream-cut-with-fallback-aiohttp: no fallback happens, the cut is hidden: stored complete',
    {
      recording: 'midstream-cut-with-fallback-aiohttp',
      model: 'claude-cut',
      stored: { status: 'complete', content: 'Hello from the mock' },
      end: { event: 'done', usage: { promptTokens: 31, completionTokens: 1 } },
    },
  ],
];

const failedBeforeOutput: Array<
  [string, { recording: string; model: string; status: number; code: string }]
> = [
  ['error-500', { recording: 'error-500', model: 'chat-fault-500', status: 502, code: 'upstream' }],
  [
    'error-429 (no Retry-After relayed)',
    { recording: 'error-429', model: 'chat-fault-429', status: 429, code: 'rate_limited' },
  ],
  [
    'error-stream-500 (plain JSON, no SSE)',
    { recording: 'error-stream-500', model: 'chat-fault-500-stream', status: 502, code: 'upstream' },
  ],
  [
    'error-context-window (matched on the message)',
    { recording: 'error-context-window', model: 'chat-context-window', status: 400, code: 'context_length' },
  ],
];

describe('LiteLLM 1.81.13 recordings replayed through the client and the chat service', () => {
  let replay: ReplayServer;
  let t: TestApp;
  let base: string;
  let client: OpenAICompatibleClient;
  let cookie: string;
  const chatbots = new Map<string, string>();

  beforeAll(async () => {
    replay = await startReplayServer();
    client = new OpenAICompatibleClient({
      baseURL: replay.url,
      apiKey: 'sk-litellm-local-master',
      defaultModel: 'chat-default',
      timeoutMs: 5_000,
      maxRetries: 0,
    });
    t = await buildTestApp({
      llmClient: client,
      env: {
        LLM_BASE_URL: replay.url,
        LLM_API_KEY: 'sk-litellm-local-master',
        LLM_DISCOVERY: 'true',
        LITELLM_CONFIG_PATH: `${RECORDINGS}config.yaml`,
        LLM_MODEL_PROMPT_GEN: 'claude-overloaded',
        LLM_BASELINE_MODELS: ALIASES.join(','),
      },
    });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const first = await userWithChatbot(t, 'replay@example.com', { model: ALIASES[0] });
    cookie = first.cookie;
    chatbots.set(ALIASES[0]!, first.chatbotId);
    for (const model of ALIASES.slice(1)) {
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/chatbots',
        headers: as(cookie),
        payload: { name: model, systemPrompt: 'You are helpful.', model },
      });
      expect(created.statusCode, created.body).toBe(201);
      chatbots.set(model, created.json<{ id: string }>().id);
    }
  });
  afterAll(async () => {
    await t?.close();
    await replay?.close();
  });

  const post = (model: string, message: string) =>
    fetch(`${base}/api/chatbots/${chatbots.get(model)}/chat`, {
      method: 'POST',
      headers: { ...as(cookie), 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ message }),
    });
  const stored = async (id: string) =>
    (await t.database.db.select().from(messages).where(eq(messages.id, id)))[0]!;
  const deltaText = (events: SseEvent[]) =>
    events
      .filter((event) => event.event === 'delta')
      .map((event) => (event.data as { text: string }).text)
      .join('');

  it.each(streamed)('%s', async (_name, play) => {
    replay.play(play.recording, play.variant);
    const response = await post(play.model, 'Hello');
    expect(response.status).toBe(200);
    const reader = new SseReader(response);
    const events = await reader.readAll();
    expect(reader.raw).toMatch(SSE_FRAMING);
    // What our client sent: the alias, streamed, asking for the usage chunk.
    expect(replay.chatRequests.at(-1)).toMatchObject({
      model: play.model,
      stream: true,
      stream_options: { include_usage: true },
    });

    const names = events.map((event) => event.event);
    expect(names[0]).toBe('meta');
    expect(names.slice(1, -1).every((name) => name === 'delta')).toBe(true);
    expect(names.at(-1)).toBe(play.end.event);
    expect(deltaText(events)).toBe(play.stored.content);
    const end = events.at(-1)!.data as ChatDoneEvent & ChatErrorEvent;
    if (play.end.event === 'error') {
      expect(end.code).toBe(play.end.code);
    } else {
      const { event: _, ...expected } = play.end;
      expect(end).toMatchObject(expected);
      if (!play.end.answeredBy) expect(end).not.toHaveProperty('answeredBy');
      if (!play.end.fallback) expect(end).not.toHaveProperty('fallback');
    }

    const meta = events[0]!.data as { assistantMessageId: string };
    const row = await stored(meta.assistantMessageId);
    expect(row).toMatchObject({
      status: play.stored.status,
      content: play.stored.content,
      errorCode: play.stored.errorCode ?? null,
      ...('modelGroup' in play.stored ? { modelGroup: play.stored.modelGroup } : {}),
      ...('attemptedFallbacks' in play.stored ? { attemptedFallbacks: play.stored.attemptedFallbacks } : {}),
    });
    // A LiteLLM stream's chunks name the requested alias, fallback or not (the `model` column).
    if (play.stored.status === 'complete') expect(row.answeredBy).toBe(play.model);
    if (play.end.event === 'done' && play.end.usage) {
      expect({ promptTokens: row.promptTokens, completionTokens: row.completionTokens }).toEqual(
        play.end.usage,
      );
    }
    if (play.end.event === 'done' && play.end.costUsd !== undefined)
      expect(row.costUsd).toBe(play.end.costUsd);

    // The stored message says the same as the done event.
    const conversation = await t.app.inject({
      method: 'GET',
      url: `/api/conversations/${row.conversationId}`,
      headers: as(cookie),
    });
    const message = conversation
      .json<{ messages: Array<{ id: string; answeredBy: string | null; fallback?: boolean }> }>()
      .messages.find((entry) => entry.id === meta.assistantMessageId);
    expect(message?.answeredBy ?? null).toBe(
      play.end.event === 'done' ? (play.end.answeredBy ?? null) : null,
    );
    expect(message?.fallback ?? false).toBe(play.end.event === 'done' && play.end.fallback === true);
  });

  it.each(failedBeforeOutput)(
    '%s: a JSON error with its status, the turn stored as error',
    async (_name, play) => {
      replay.play(play.recording);
      const response = await post(play.model, 'Hello');
      expect(response.status).toBe(play.status);
      expect(response.headers.get('retry-after')).toBeNull();
      const body = (await response.json()) as {
        error: { code: string; message: string; details: { assistantMessageId: string } };
      };
      expect(body.error.code).toBe(play.code);
      // Fixed wording: nothing of LiteLLM's long message (its fallback list, "LiteLLM Retried") leaks.
      expect(body.error.message).not.toMatch(/litellm|Retried|Fallbacks/i);
      expect(await stored(body.error.details.assistantMessageId)).toMatchObject({
        status: 'error',
        errorCode: play.code,
        content: '',
      });
    },
  );

  it('fallback-nonstream through prompt generation: the recorded text; the header names the fallback', async () => {
    replay.play('fallback-nonstream');
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/prompts/generate',
      headers: as(cookie),
      payload: { description: 'A helpful tutor for algebra' },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ systemPrompt: TEXT, model: 'claude-overloaded' });
    expect(replay.chatRequests.at(-1)).toMatchObject({ model: 'claude-overloaded' });
    expect(replay.chatRequests.at(-1)).not.toHaveProperty('stream', true);

    // The same answer through the client the services use: the body's `model` is the provider's
    // name after a fallback (not an alias); x-litellm-model-group names the alias.
    replay.play('fallback-nonstream');
    const result = await withAnswerAttribution(client, { get: () => undefined }).generate(user('Hi'), {
      model: 'claude-overloaded',
    });
    expect(result).toMatchObject({
      model: 'gpt-4.1-mini',
      modelGroup: 'chat-default',
      attemptedFallbacks: 1,
    });
    expect(result.costUsd).toBe(0.0000228);
    expect(attributeAnswer({ requested: 'claude-overloaded', ...result })).toMatchObject({
      answeredBy: 'chat-default',
      fallback: true,
    });
  });

  it('stream-openai-no-usage with LLM_STREAM_USAGE=optional: complete, tokens left to our count', async () => {
    replay.play('stream-openai-no-usage');
    const optional = new OpenAICompatibleClient({
      baseURL: replay.url,
      apiKey: 'sk-litellm-local-master',
      defaultModel: 'chat-default',
      timeoutMs: 5_000,
      maxRetries: 0,
      streamUsage: 'optional',
    });
    const events = await collect(optional.chatStream(user('Hi')));
    expect(terminal(events)).toMatchObject({
      type: 'done',
      finishReason: 'stop',
      usage: null,
      costUsd: null,
    });
  });

  it('discovery read /model_group/info and /model/info once, not per turn', () => {
    expect(replay.paths.filter((path) => path === '/model/info')).toHaveLength(1);
    expect(replay.paths.filter((path) => path === '/model_group/info')).toHaveLength(1);
  });
});
