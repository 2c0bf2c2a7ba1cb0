import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startMockLlm, type MockLlm } from '@app/mock-llm';
import type { ChatTurnResult } from '@app/common';
import { messages } from '../../src/db/schema.js';
import { OpenAICompatibleClient } from '../../src/llm/openai-compatible-client.js';
import { attributeAnswer } from '../../src/services/chat/fallback.js';
import { as, buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { userWithChatbot } from './chat-fixtures.js';

describe('attributeAnswer', () => {
  const base = { requested: 'claude-default', modelGroup: null, attemptedFallbacks: null };

  it('believes the model-group header (whole answers; streams on newer LiteLLM)', () => {
    expect(attributeAnswer({ ...base, modelGroup: 'claude-default', attemptedFallbacks: 0 })).toEqual({
      modelGroup: 'claude-default',
      attemptedFallbacks: 0,
      answeredBy: null,
      fallback: false,
    });
    expect(attributeAnswer({ ...base, modelGroup: 'chat-default', attemptedFallbacks: 1 })).toEqual({
      modelGroup: 'chat-default',
      attemptedFallbacks: 1,
      answeredBy: 'chat-default',
      fallback: true,
    });
  });

  it('maps the deployment id when the header is missing (LiteLLM 1.81 streams)', () => {
    expect(attributeAnswer({ ...base, deploymentAlias: 'chat-default' })).toMatchObject({
      modelGroup: 'chat-default',
      attemptedFallbacks: 1,
      answeredBy: 'chat-default',
      fallback: true,
    });
    expect(attributeAnswer({ ...base, deploymentAlias: 'claude-default' })).toMatchObject({
      answeredBy: null,
      fallback: false,
    });
    // Nothing known: nothing claimed.
    expect(attributeAnswer(base)).toEqual({
      modelGroup: null,
      attemptedFallbacks: null,
      answeredBy: null,
      fallback: false,
    });
  });

  it('never names the provider model of the response (it is not an alias)', () => {
    // fallback-nonstream: body `model: "gpt-4.1-mini"`; only the header names the alias.
    const facts = { ...base, modelGroup: null, attemptedFallbacks: 1, responseModel: 'gpt-4.1-mini' };
    expect(attributeAnswer(facts)).toEqual({
      modelGroup: null,
      attemptedFallbacks: 1,
      answeredBy: null,
      fallback: true,
    });
  });

  it('a mid-stream switch: the configured fallback when the file names exactly one, else unnamed', () => {
    // The headers still name the deployment that failed: not believed.
    const switched = { ...base, deploymentAlias: 'claude-default', continued: true };
    expect(attributeAnswer({ ...switched, configuredFallbacks: ['chat-default'] })).toEqual({
      modelGroup: 'chat-default',
      attemptedFallbacks: 1,
      answeredBy: 'chat-default',
      fallback: true,
    });
    for (const configuredFallbacks of [undefined, [], ['chat-default', 'gemini-default']]) {
      expect(attributeAnswer({ ...switched, configuredFallbacks })).toEqual({
        modelGroup: null,
        attemptedFallbacks: 1,
        answeredBy: null,
        fallback: true,
      });
    }
  });

  it('gives the same answer when fed its own output (a stored message read back)', () => {
    const cases = [
      { ...base, modelGroup: 'chat-default', attemptedFallbacks: 1 },
      { ...base, deploymentAlias: 'chat-default' },
      { ...base, continued: true, configuredFallbacks: ['chat-default'] },
      { ...base, continued: true },
      { ...base, modelGroup: 'claude-default', attemptedFallbacks: 0 },
      base,
    ];
    for (const facts of cases) {
      const first = attributeAnswer(facts);
      const again = attributeAnswer({
        requested: facts.requested,
        modelGroup: first.modelGroup,
        attemptedFallbacks: first.attemptedFallbacks,
      });
      expect(again).toEqual(first);
    }
  });
});

/**
 * "Answered by fallback model X" through the app, against the mock speaking LiteLLM 1.81.13 (no
 * model-group header on streams): discovery's `/model/info` maps the stream's deployment id, and the
 * LiteLLM file's `router_settings.fallbacks` names who continued after a mid-stream fallback.
 */
describe('fallback attribution over HTTP (LiteLLM 1.81 streams)', () => {
  let mock: MockLlm;
  let t: TestApp;
  const bots: Record<string, { cookie: string; userId: string; chatbotId: string }> = {};

  const liteLlmFile = `model_list:
  - model_name: chat-default
    litellm_params: { model: openai/gpt-4.1-mini }
  - model_name: claude-default
    litellm_params: { model: anthropic/claude-sonnet-4-20250514 }
  - model_name: claude-two
    litellm_params: { model: anthropic/claude-sonnet-4-20250514 }
  - model_name: gemini-default
    litellm_params: { model: gemini/gemini-2.5-flash }
  - model_name: prompt-helper
    litellm_params: { model: openai/gpt-4.1-mini }
router_settings:
  fallbacks:
    - claude-default: ['chat-default']
    - claude-two: ['chat-default', 'gemini-default']
`;

  beforeAll(async () => {
    mock = await startMockLlm({
      apiKey: 'sk-test',
      interTokenMs: 1,
      models: [
        { id: 'chat-default', provider: 'openai', providerModel: 'gpt-4.1-mini' },
        { id: 'claude-default', provider: 'anthropic', fallbacks: ['chat-default'] },
        { id: 'claude-two', provider: 'anthropic', fallbacks: ['chat-default', 'gemini-default'] },
        { id: 'gemini-default', provider: 'gemini' },
        { id: 'prompt-helper', provider: 'openai' },
      ],
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fallback-'));
    fs.writeFileSync(path.join(dir, 'litellm.yaml'), liteLlmFile);
    const client = new OpenAICompatibleClient({
      baseURL: mock.url,
      apiKey: 'sk-test',
      defaultModel: 'chat-default',
      timeoutMs: 2_000,
      maxRetries: 0,
    });
    t = await buildTestApp({
      llmClient: client,
      env: {
        LLM_BASE_URL: mock.url,
        LLM_API_KEY: 'sk-test',
        LLM_DISCOVERY: 'true',
        LITELLM_CONFIG_PATH: path.join(dir, 'litellm.yaml'),
        LLM_BASELINE_MODELS: 'chat-default,claude-default,claude-two',
      },
    });
    for (const model of ['chat-default', 'claude-default', 'claude-two']) {
      bots[model] = await userWithChatbot(t, `fallback-${model}@example.com`, { model });
    }
  });
  afterAll(async () => {
    await t.close();
    await mock.close();
  });

  const turn = async (model: string, message: string) => {
    const bot = bots[model]!;
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/chatbots/${bot.chatbotId}/chat`,
      headers: { ...as(bot.cookie), accept: 'application/json' },
      payload: { message },
    });
    expect(response.statusCode).toBe(200);
    return response.json<ChatTurnResult>();
  };
  const readBack = async (model: string, result: ChatTurnResult) => {
    const conversation = await t.app.inject({
      method: 'GET',
      url: `/api/conversations/${result.conversationId}`,
      headers: as(bots[model]!.cookie),
    });
    return conversation
      .json<{ messages: Array<{ id: string; answeredBy: string | null; fallback?: boolean }> }>()
      .messages.find((message) => message.id === result.assistantMessageId);
  };
  const row = async (id: string) =>
    (await t.database.db.select().from(messages).where(eq(messages.id, id)))[0]!;

  it('names nobody when the requested alias answered', async () => {
    const plain = await turn('claude-default', 'hello');
    expect(plain).toMatchObject({ status: 'complete' });
    expect(plain).not.toHaveProperty('answeredBy');
    expect(plain).not.toHaveProperty('fallback');
    expect(await row(plain.assistantMessageId)).toMatchObject({ modelGroup: 'claude-default' });
    expect(await readBack('claude-default', plain)).toMatchObject({ answeredBy: null });
  });

  it('names the alias a stream fell back to, by its deployment id (no model-group header)', async () => {
    const fellBack = await turn('claude-default', 'hello [[mock:fallback]]');
    expect(fellBack).toMatchObject({ status: 'complete', answeredBy: 'chat-default', fallback: true });
    expect(await row(fellBack.assistantMessageId)).toMatchObject({
      modelGroup: 'chat-default',
      attemptedFallbacks: 1,
      // The chunks' `model`: the requested alias, fallback or not.
      answeredBy: 'claude-default',
    });
    expect(await readBack('claude-default', fellBack)).toMatchObject({
      answeredBy: 'chat-default',
      fallback: true,
    });
  });

  it('a mid-stream fallback is the configured fallback’s, not the alias that failed (httpx)', async () => {
    const result = await turn('claude-default', 'hello [[mock:cut-after=3,transport=httpx]]');
    expect(result).toMatchObject({ status: 'complete', answeredBy: 'chat-default', fallback: true });
    expect(await readBack('claude-default', result)).toMatchObject({
      answeredBy: 'chat-default',
      fallback: true,
    });
  });

  it('a mid-stream fallback with several configured fallbacks: marked, not named', async () => {
    const result = await turn('claude-two', 'hello [[mock:cut-after=3,transport=httpx]]');
    expect(result).toMatchObject({ status: 'complete', fallback: true });
    expect(result).not.toHaveProperty('answeredBy');
    expect(await row(result.assistantMessageId)).toMatchObject({ modelGroup: null, attemptedFallbacks: 1 });
    expect(await readBack('claude-two', result)).toMatchObject({ answeredBy: null, fallback: true });
  });

  it('under the default transport (aiohttp) LiteLLM 1.81 hides the cut and falls back to nobody', async () => {
    const result = await turn('claude-default', 'hello [[mock:cut-after=3]]');
    // midstream-cut-with-fallback-aiohttp: a made-up finish, so the partial answer looks complete.
    expect(result).toMatchObject({ status: 'complete', finishReason: 'stop' });
    expect(result).not.toHaveProperty('fallback');
  });
});
