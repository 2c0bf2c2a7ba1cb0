import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Chatbot, ModelListEntry } from '@app/common';
import { FakeLlmClient } from '../helpers/fake-llm-client.js';
import { as, buildTestApp, signUp, type TestApp } from '../helpers/build-test-app.js';

// The operator's catalog: capabilities as fields (LLM_MODELS_JSON), never read from the ids.
const MODELS = JSON.stringify([
  { id: 'chat-default', label: 'GPT-4.1 mini', provider: 'openai', maxOutputTokens: 32768 },
  {
    id: 'thinker',
    label: 'o4-mini',
    provider: 'openai',
    maxOutputTokens: 100000,
    supportsReasoning: true,
    supportsTemperature: false,
  },
  { id: 'two-efforts', label: 'Two efforts', provider: 'other', reasoningEfforts: ['low', 'high'] },
  {
    id: 'small',
    label: 'Mistral Small',
    provider: 'mistral',
    maxOutputTokens: 8191,
    supportsReasoning: false,
  },
]);
const ADMIN_TOKEN = 'admin-token-for-settings';

function plansFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'plans-')), 'plans.yaml');
  writeFileSync(
    path,
    `plans:
  basic: { models: ["*"], limits: { maxTokens: 512 } }
  pro: { models: ["*"] }
`,
  );
  return path;
}

describe('chatbot settings follow the model', () => {
  let t: TestApp;
  let llm: FakeLlmClient;
  let cookie: string;
  const email = 'settings@example.com';

  beforeAll(async () => {
    llm = new FakeLlmClient();
    t = await buildTestApp({
      llmClient: llm,
      adminCliToken: ADMIN_TOKEN,
      env: {
        LLM_API_KEY: 'sk-test',
        LLM_MODELS_JSON: MODELS,
        LLM_PLAN_MODELS_FILE: plansFile(),
        CHATBOT_MAX_TOKENS_CEILING: '8192',
      },
    });
    cookie = await signUp(t.app, email);
    await setPlan('basic');
  });
  afterAll(() => t.close());

  async function setPlan(plan: string | null) {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/admin/users/plan',
      headers: { 'x-admin-token': ADMIN_TOKEN },
      payload: { email, plan },
    });
    expect(response.statusCode).toBe(200);
  }
  const models = async () =>
    (
      await t.app.inject({ method: 'GET', url: '/api/llm/models', headers: as(cookie) })
    ).json() as ModelListEntry[];
  const create = (payload: object) =>
    t.app.inject({ method: 'POST', url: '/api/chatbots', headers: as(cookie), payload });
  const patch = (id: string, payload: object) =>
    t.app.inject({ method: 'PATCH', url: `/api/chatbots/${id}`, headers: as(cookie), payload });

  it('lists the combined limit, the plan clamp and the efforts per model', async () => {
    const byId = new Map((await models()).map((entry) => [entry.id, entry]));
    expect(byId.get('thinker')).toMatchObject({
      maxTokensAllowed: 8192,
      maxTokensPlanClamp: 512,
      supportsTemperature: false,
      supportsReasoning: true,
      reasoningEfforts: ['low', 'medium', 'high'],
    });
    expect(byId.get('small')).toMatchObject({ maxTokensAllowed: 8191, maxTokensPlanClamp: 512 });
    expect(byId.get('small')).not.toHaveProperty('reasoningEfforts');
    expect(byId.get('two-efforts')?.reasoningEfforts).toEqual(['low', 'high']);
  });

  it('refuses what the list announces as too much, in words and on the field', async () => {
    for (const [model, max] of [
      ['thinker', '8,192'],
      ['small', '8,191'],
    ] as const) {
      const response = await create({ name: 'Too long', model, maxTokens: 20000 });
      expect(response.statusCode).toBe(400);
      const { error } = response.json();
      expect(error).toEqual({
        code: 'validation_failed',
        message: `Max tokens must be at most ${max} for this model.`,
        details: { field: 'maxTokens', max: Number(max.replace(',', '')) },
      });
      expect(error.message).not.toMatch(/[A-Z]{3,}_[A-Z_]+/);
    }
    // At the limit is fine, and above the plan's 512 too: that is clamped per answer, not refused.
    expect((await create({ name: 'Longest', model: 'small', maxTokens: 8191 })).statusCode).toBe(201);
  });

  it('a new model must take the length the chatbot keeps', async () => {
    // chat-default: 32,768 for the model, 8,192 on this server.
    const bot = (
      await create({ name: 'Switcher', model: 'chat-default', maxTokens: 8192 })
    ).json() as Chatbot;
    expect(bot.maxTokens).toBe(8192);
    const switched = await patch(bot.id, { model: 'small' });
    expect(switched.statusCode).toBe(400);
    expect(switched.json().error.details).toEqual({ field: 'maxTokens', max: 8191 });
    expect((await patch(bot.id, { model: 'small', maxTokens: 4000 })).statusCode).toBe(200);
  });

  it('accepts the efforts the model reports and refuses others with a field error', async () => {
    const bot = (
      await create({ name: 'Thinker', model: 'thinker', reasoningEffort: 'high' })
    ).json() as Chatbot;
    expect(bot.reasoningEffort).toBe('high');
    const none = await create({ name: 'No effort', model: 'small', reasoningEffort: 'low' });
    expect(none.statusCode).toBe(400);
    expect(none.json().error).toMatchObject({
      message: 'Reasoning effort is not available for this model; leave it on the model default.',
      details: { field: 'reasoningEffort', allowed: [] },
    });
    const two = await create({ name: 'Two', model: 'two-efforts', reasoningEffort: 'medium' });
    expect(two.json().error).toMatchObject({
      message: 'Reasoning effort must be low or high for this model.',
      details: { field: 'reasoningEffort', allowed: ['low', 'high'] },
    });
    expect((await patch(bot.id, { reasoningEffort: null })).json().reasoningEffort).toBeNull();
    const bad = await create({ name: 'Bad', model: 'thinker', reasoningEffort: 'max' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual([
      { field: 'reasoningEffort', message: 'Reasoning effort must be low, medium or high' },
    ]);
  });

  it('sends reasoning_effort where the model has it and no temperature where it is not honoured', async () => {
    const thinker = (
      await create({
        name: 'Sender',
        model: 'thinker',
        temperature: 0.2,
        reasoningEffort: 'low',
        maxTokens: 2000,
      })
    ).json() as Chatbot;
    // The temperature is kept (a later model may honour it), only not sent.
    expect(thinker.temperature).toBe(0.2);
    const plain = (await create({ name: 'Plain', model: 'small', temperature: 0.3 })).json() as Chatbot;

    const chat = (id: string) =>
      t.app.inject({
        method: 'POST',
        url: `/api/chatbots/${id}/chat`,
        headers: { ...as(cookie), accept: 'application/json' },
        payload: { message: 'Hello' },
      });
    llm.calls.length = 0;
    expect((await chat(thinker.id)).statusCode).toBe(200);
    expect((await chat(plain.id)).statusCode).toBe(200);
    const [first, second] = llm.calls.map((call) => call.options);
    expect(first).toMatchObject({ model: 'thinker', reasoningEffort: 'low', maxTokens: 512 });
    expect(first).not.toHaveProperty('temperature');
    expect(second).toMatchObject({ model: 'small', temperature: 0.3, maxTokens: 512 });
    expect(second).not.toHaveProperty('reasoningEffort');
  });
});
