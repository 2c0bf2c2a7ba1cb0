import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CatalogModel } from '../../src/models/catalog-model.js';
import {
  maxTokensLimit,
  modelSettings,
  reasoningEffortsFrom,
  temperatureFromParams,
} from '../../src/models/model-capabilities.js';
import { fetchLiveModels } from '../../src/models/model-discovery.js';
import { shapeCallOptions, withModelCapabilities } from '../../src/services/model-call-shaping.js';
import type { LlmCallOptions, LlmClient } from '../../src/llm/client.js';

/** LiteLLM 1.81.13's real /model_group/info answer (see the file's `_source`). */
const recorded = JSON.parse(
  readFileSync(new URL('./fixtures/litellm-1.81.13-model-group-info.json', import.meta.url), 'utf8'),
) as { data: Record<string, unknown>[] };

function proxyAnswering(body: unknown): typeof fetch {
  return async () => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
}

async function discover(body: unknown) {
  const live = await fetchLiveModels({ baseUrl: 'http://proxy.test/v1', fetch: proxyAnswering(body) });
  return live.models;
}

describe('capabilities from LiteLLM 1.81.13 /model_group/info (recorded)', () => {
  it('derives temperature and reasoning effort from the fields, as the recordings show them', async () => {
    const models = await discover(recorded);
    const summary = Object.fromEntries(
      [...models.values()].map((model) => [
        model.id,
        {
          temperature: model.supportsTemperature,
          reasoning: model.supportsReasoning,
          efforts: model.reasoningEfforts,
          vision: model.supportsVision,
          tools: model.supportsFunctionCalling,
        },
      ]),
    );
    const efforts = ['low', 'medium', 'high'];
    expect(summary).toEqual({
      'chat-default': { temperature: true, reasoning: false, efforts: [], vision: true, tools: true },
      // Claude and Gemini reason, list top_p and honour temperature; both list reasoning_effort.
      'claude-default': { temperature: true, reasoning: true, efforts, vision: true, tools: true },
      'gemini-default': { temperature: true, reasoning: true, efforts, vision: true, tools: true },
      'mistral-default': { temperature: true, reasoning: false, efforts: [], vision: false, tools: true },
      'prompt-helper': { temperature: true, reasoning: false, efforts: [], vision: true, tools: true },
      // o4-mini lists `temperature` but LiteLLM drops any value but 1 (unsupported-param-temperature):
      // it reasons and lacks top_p, so the rule says it does not honour temperature.
      'reasoning-default': { temperature: false, reasoning: true, efforts, vision: true, tools: true },
      'vision-default': { temperature: true, reasoning: false, efforts: [], vision: true, tools: true },
    });
    expect(models.get('chat-default')).toMatchObject({ maxOutputTokens: 32768, maxInputTokens: 1047576 });
    // health_status is null without LiteLLM's background health checks.
    expect(models.get('chat-default')).not.toHaveProperty('healthStatus');
  });

  it("takes a newer LiteLLM's supported_reasoning_efforts and health_status when present", async () => {
    const group = recorded.data.find((entry) => entry.model_group === 'reasoning-default')!;
    const models = await discover({
      data: [{ ...group, supported_reasoning_efforts: ['minimal', 'Low', 'high'], health_status: 'healthy' }],
    });
    expect(models.get('reasoning-default')).toMatchObject({
      reasoningEfforts: ['minimal', 'low', 'high'],
      healthStatus: 'healthy',
    });
  });

  it('an odd capability value drops that field, not the whole answer', async () => {
    const group = recorded.data.find((entry) => entry.model_group === 'chat-default')!;
    const models = await discover({
      data: [{ ...group, supports_vision: 'yes', supported_reasoning_efforts: 'high', health_status: 3 }],
    });
    const model = models.get('chat-default')!;
    expect(model.maxOutputTokens).toBe(32768);
    expect(model).not.toHaveProperty('supportsVision');
    expect(model.reasoningEfforts).toEqual([]);
    expect(model).not.toHaveProperty('healthStatus');
  });
});

describe('the field rules', () => {
  it('temperature: not listed → false; a reasoning model without top_p → false; no list → unknown', () => {
    expect(temperatureFromParams(['max_tokens'], false)).toBe(false);
    expect(temperatureFromParams(['temperature', 'max_tokens'], true)).toBe(false);
    expect(temperatureFromParams(['temperature', 'top_p'], true)).toBe(true);
    expect(temperatureFromParams(['temperature'], undefined)).toBe(true);
    expect(temperatureFromParams(undefined, true)).toBeUndefined();
  });

  it('reasoning efforts: a list wins, then supports_reasoning false, then the params, then the flag', () => {
    expect(reasoningEffortsFrom({ efforts: ['high'], supportsReasoning: false })).toEqual(['high']);
    expect(reasoningEffortsFrom({ params: ['reasoning_effort'], supportsReasoning: false })).toEqual([]);
    expect(reasoningEffortsFrom({ params: ['temperature'], supportsReasoning: true })).toEqual([]);
    expect(reasoningEffortsFrom({ params: ['reasoning_effort'] })).toEqual(['low', 'medium', 'high']);
    expect(reasoningEffortsFrom({ supportsReasoning: true })).toEqual(['low', 'medium', 'high']);
    expect(reasoningEffortsFrom({})).toBeUndefined();
  });

  it('max tokens: the model limit and the ceiling, whichever is lower; a plan clamp only below that', () => {
    expect(maxTokensLimit({ maxOutputTokens: 100_000 }, { ceiling: 8192 })).toEqual({ max: 8192 });
    expect(maxTokensLimit({ maxOutputTokens: 4096 }, { ceiling: 8192, planMaxTokens: 512 })).toEqual({
      max: 4096,
      planClamp: 512,
    });
    expect(maxTokensLimit({ maxOutputTokens: 4096 }, { ceiling: 8192, planMaxTokens: 9000 })).toEqual({
      max: 4096,
    });
    expect(maxTokensLimit(undefined, { ceiling: 2000 })).toEqual({ max: 2000 });
  });
});

describe('each call as its model takes it', () => {
  const reasoner: CatalogModel = {
    id: 'reasoner',
    label: 'o4-mini',
    provider: 'openai',
    hidden: false,
    maxOutputTokens: 4000,
    supportsTemperature: false,
    reasoningEfforts: ['low', 'medium', 'high'],
  };
  const plain: CatalogModel = { id: 'plain', label: 'Plain', provider: 'mistral', hidden: false };

  it('drops a temperature the model does not honour and an effort it lacks; lowers maxTokens to its limit', () => {
    const options: LlmCallOptions = {
      model: 'x',
      temperature: 0.2,
      maxTokens: 9000,
      reasoningEffort: 'high',
    };
    expect(shapeCallOptions(reasoner, options)).toEqual({
      model: 'x',
      maxTokens: 4000,
      reasoningEffort: 'high',
    });
    expect(shapeCallOptions(plain, options)).toEqual({ model: 'x', temperature: 0.2, maxTokens: 9000 });
    expect(shapeCallOptions(undefined, options)).toEqual({ model: 'x', temperature: 0.2, maxTokens: 9000 });
    // A model that honours temperature and has efforts: with an effort sent, no temperature (Claude
    // refuses one while it thinks); on the model's default effort, the temperature goes.
    const thinking: CatalogModel = {
      ...plain,
      id: 'claude',
      supportsTemperature: true,
      reasoningEfforts: ['low'],
    };
    expect(shapeCallOptions(thinking, { temperature: 0.2, reasoningEffort: 'low' })).toEqual({
      reasoningEffort: 'low',
    });
    expect(shapeCallOptions(thinking, { temperature: 0.2 })).toEqual({ temperature: 0.2 });
    expect(modelSettings(reasoner, { ceiling: 8192 })).toEqual({
      maxTokens: { max: 4000 },
      honoursTemperature: false,
      reasoningEfforts: ['low', 'medium', 'high'],
    });
  });

  it('the wrapped client reads the catalog at each call', async () => {
    const seen: (LlmCallOptions | undefined)[] = [];
    const inner: LlmClient = {
      generate: async (_messages, options) => {
        seen.push(options);
        return {
          text: '',
          finishReason: 'stop',
          usage: null,
          costUsd: null,
          timeToFirstTokenMs: 0,
          model: null,
          modelGroup: null,
          attemptedFallbacks: null,
          requestId: null,
        };
      },
      chatStream: async function* (_messages, options) {
        seen.push(options);
        yield { type: 'delta', text: 'ok' };
      },
    };
    const catalog = new Map([['reasoner', reasoner]]);
    const client = withModelCapabilities(inner, { get: (id) => catalog.get(id) });
    await client.generate([], { model: 'reasoner', temperature: 0.4 });
    for await (const event of client.chatStream([], {
      model: 'reasoner',
      temperature: 1,
      reasoningEffort: 'low',
    }))
      void event;
    await client.generate([], { temperature: 0.4 });
    expect(seen).toEqual([
      { model: 'reasoner' },
      { model: 'reasoner', reasoningEffort: 'low' },
      { temperature: 0.4 },
    ]);
  });
});
