import { describe, expect, it } from 'vitest';
import { parsePlansConfig, parsePlansYaml } from '../../src/config/plans.js';
import { AppError } from '../../src/errors.js';
import type { CatalogModel, CatalogReader } from '../../src/models/catalog-model.js';
import {
  assertModelAllowed,
  chatbotModelSettings,
  requiredPlanFor,
  visibleModels,
} from '../../src/models/eligibility.js';
import { createStaticCatalog } from '../../src/models/model-catalog.js';

const models: CatalogModel[] = [
  {
    id: 'chat-default',
    label: 'GPT-4o mini',
    provider: 'openai',
    hidden: false,
    maxOutputTokens: 16384,
    inputCostPerToken: 0.00000015,
    outputCostPerToken: 0.0000006,
  },
  {
    id: 'claude-default',
    label: 'Claude Sonnet',
    provider: 'anthropic',
    hidden: false,
    maxOutputTokens: 64000,
  },
  { id: 'gemini-default', label: 'Gemini Flash', provider: 'google', hidden: false },
  { id: 'reasoning', label: 'o3 mini', provider: 'openai', hidden: false, supportsTemperature: false },
  { id: 'prompt-helper', label: 'Prompt helper', provider: 'openai', hidden: true },
  { id: 'unplanned', label: 'In no plan', provider: 'other', hidden: false },
];
const catalog = createStaticCatalog(models);
const plans = parsePlansConfig({
  chatModel: 'chat-default',
  plansJson: JSON.stringify({
    basic: ['chat-default', 'missing-model'],
    pro: ['chat-default', 'claude-default', 'reasoning'],
    enterprise: ['*'],
  }),
});

const ids = (entries: { id: string }[]) => entries.map((entry) => entry.id);
const shown = { showLocked: true, maxTokensCeiling: 32_000 };
const notShown = { showLocked: false, maxTokensCeiling: 32_000 };

function appError(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected an AppError');
}

describe('visibleModels', () => {
  it('basic: its models, then locked ones with the cheapest plan that unlocks them', () => {
    const entries = visibleModels(catalog, plans, 'basic', shown);
    expect(entries).toEqual([
      {
        id: 'chat-default',
        label: 'GPT-4o mini',
        provider: 'openai',
        maxOutputTokens: 16384,
        maxTokensAllowed: 16384,
        inputPricePer1k: 0.00015,
        outputPricePer1k: 0.0006,
      },
      {
        id: 'claude-default',
        label: 'Claude Sonnet',
        provider: 'anthropic',
        maxOutputTokens: 64000,
        maxTokensAllowed: 32000,
        locked: true,
        requiredPlan: 'pro',
      },
      {
        id: 'reasoning',
        label: 'o3 mini',
        provider: 'openai',
        maxTokensAllowed: 32000,
        supportsTemperature: false,
        locked: true,
        requiredPlan: 'pro',
      },
      {
        id: 'gemini-default',
        label: 'Gemini Flash',
        provider: 'google',
        maxTokensAllowed: 32000,
        locked: true,
        requiredPlan: 'enterprise',
      },
      {
        id: 'unplanned',
        label: 'In no plan',
        provider: 'other',
        maxTokensAllowed: 32000,
        locked: true,
        requiredPlan: 'enterprise',
      },
    ]);
  });

  it('never lists hidden models nor aliases the catalog lacks, even under "*"', () => {
    const all = ids(visibleModels(catalog, plans, 'enterprise', shown));
    expect(all).toEqual(['chat-default', 'claude-default', 'gemini-default', 'reasoning', 'unplanned']);
    expect(all).not.toContain('prompt-helper');
    expect(ids(visibleModels(catalog, plans, 'basic', shown))).not.toContain('missing-model');
  });

  it('pro: more models, fewer locked', () => {
    const entries = visibleModels(catalog, plans, 'pro', shown);
    expect(entries.filter((entry) => !entry.locked).map((entry) => entry.id)).toEqual([
      'chat-default',
      'claude-default',
      'reasoning',
    ]);
    expect(entries.filter((entry) => entry.locked).map((entry) => [entry.id, entry.requiredPlan])).toEqual([
      ['gemini-default', 'enterprise'],
      ['unplanned', 'enterprise'],
    ]);
  });

  it('no plan and an unknown plan get the baseline', () => {
    expect(ids(visibleModels(catalog, plans, null, notShown))).toEqual(['chat-default']);
    expect(visibleModels(catalog, plans, 'gold', shown)).toEqual(visibleModels(catalog, plans, null, shown));
  });

  it('without showLocked only the allowed models are listed', () => {
    expect(visibleModels(catalog, plans, 'basic', notShown).some((entry) => entry.locked)).toBe(false);
  });

  it('does not show models only a lower plan allows as locked', () => {
    const odd = parsePlansConfig({
      chatModel: 'chat-default',
      plansJson: '{"basic":["gemini-default"],"pro":["chat-default"]}',
    });
    expect(ids(visibleModels(catalog, odd, 'pro', shown))).toEqual(['chat-default']);
  });
});

describe('the settings each entry announces', () => {
  const capable: CatalogModel[] = [
    {
      id: 'o-reasoner',
      label: 'o4-mini',
      provider: 'openai',
      hidden: false,
      maxOutputTokens: 100_000,
      supportsTemperature: false,
      supportsReasoning: true,
      // A newer LiteLLM's list: only the chatbot setting's values are offered, in its order.
      reasoningEfforts: ['high', 'minimal', 'low'],
      supportsVision: true,
      supportsFunctionCalling: true,
      served: true,
      healthStatus: 'healthy',
    },
    { id: 'small', label: 'Mistral Small', provider: 'mistral', hidden: false, maxOutputTokens: 8191 },
  ];
  const unservedModel: CatalogModel = { id: 'gone', label: 'Gone', provider: 'google', hidden: false };
  const reader: CatalogReader = {
    ...createStaticCatalog(capable),
    isUnserved: (id) => id === 'gone',
    unservedModels: () => [unservedModel],
  };
  const tiers = parsePlansYaml(
    `plans:
  basic: { models: [small, o-reasoner], limits: { maxTokens: 512 } }
  pro: { models: ["*"] }
`,
    'plans.yaml',
  );
  const ceiling = { showLocked: true, maxTokensCeiling: 8192 };

  it('combines the model limit and the server ceiling, and names the plan clamp beside them', () => {
    const basic = visibleModels(reader, tiers, 'basic', ceiling);
    expect(basic.find((entry) => entry.id === 'o-reasoner')).toEqual({
      id: 'o-reasoner',
      label: 'o4-mini',
      provider: 'openai',
      availability: 'served',
      healthStatus: 'healthy',
      maxOutputTokens: 100_000,
      // 100,000 for the model, 8,192 on this server: the hint and the refusal say 8,192.
      maxTokensAllowed: 8192,
      maxTokensPlanClamp: 512,
      supportsTemperature: false,
      supportsReasoning: true,
      reasoningEfforts: ['low', 'high'],
      supportsVision: true,
      supportsFunctionCalling: true,
    });
    expect(basic.find((entry) => entry.id === 'small')).toMatchObject({
      maxTokensAllowed: 8191,
      maxTokensPlanClamp: 512,
    });
    const pro = visibleModels(reader, tiers, 'pro', ceiling);
    expect(pro.find((entry) => entry.id === 'small')).not.toHaveProperty('maxTokensPlanClamp');
  });

  it('the chatbot service gets the very numbers the list announces', () => {
    for (const plan of ['basic', 'pro', null]) {
      for (const entry of visibleModels(reader, tiers, plan, ceiling)) {
        const settings = chatbotModelSettings(reader, tiers, plan, entry.id, 8192);
        expect(settings.maxTokens.max).toBe(entry.maxTokensAllowed);
        expect(settings.maxTokens.planClamp).toBe(entry.maxTokensPlanClamp);
        expect(settings.reasoningEfforts).toEqual(entry.reasoningEfforts ?? []);
        expect(settings.honoursTemperature).toBe(entry.supportsTemperature !== false);
      }
    }
    // An alias the catalog lacks altogether: the ceiling alone, nothing else offered.
    expect(chatbotModelSettings(reader, tiers, 'pro', 'nowhere', 8192)).toEqual({
      maxTokens: { max: 8192 },
      honoursTemperature: true,
      reasoningEfforts: [],
    });
  });

  it('lists an allowed model the proxy does not serve after the usable ones, marked unserved', () => {
    expect(
      visibleModels(reader, tiers, 'pro', ceiling).map((entry) => [entry.id, entry.availability ?? '']),
    ).toEqual([
      ['o-reasoner', 'served'],
      ['small', ''],
      ['gone', 'unserved'],
    ]);
    // Not in the basic plan: neither offered nor shown as unserved (nor as locked: no catalog entry).
    expect(ids(visibleModels(reader, tiers, 'basic', ceiling))).toEqual(['o-reasoner', 'small']);
  });
});

describe('assertModelAllowed', () => {
  it('returns the catalog entry when the plan allows the model', () => {
    expect(assertModelAllowed(catalog, plans, 'pro', 'claude-default').id).toBe('claude-default');
    expect(assertModelAllowed(catalog, plans, null, 'chat-default').id).toBe('chat-default');
  });

  it('names the plan that would allow it', () => {
    const error = appError(() => assertModelAllowed(catalog, plans, 'basic', 'claude-default'));
    expect(error.code).toBe('model_not_allowed');
    expect(error.message).toBe('The model "claude-default" needs the pro plan; your plan is basic.');
    expect(error.extra.details).toEqual({ model: 'claude-default', requiredPlan: 'pro' });
    expect(appError(() => assertModelAllowed(catalog, plans, null, 'gemini-default')).message).toBe(
      'The model "gemini-default" needs the enterprise plan; you have no plan.',
    );
  });

  it('refuses models that are not offered (unknown or hidden) with requiredPlan null', () => {
    for (const id of ['gpt-5-ultra', 'prompt-helper', 'missing-model']) {
      const error = appError(() => assertModelAllowed(catalog, plans, 'enterprise', id));
      expect(error.code).toBe('model_not_allowed');
      expect(error.message).toBe(`The model "${id}" is not offered on this server; choose another model.`);
      expect(error.extra.details).toEqual({ model: id, requiredPlan: null });
    }
  });

  it('says model_unavailable for a configured alias the proxy does not serve right now', () => {
    const partial: CatalogReader = {
      ...catalog,
      list: catalog.list,
      get: catalog.get,
      isUnserved: (id) => id === 'claude-default',
    };
    const withoutClaude: CatalogReader = {
      ...partial,
      get: (id) => (id === 'claude-default' ? undefined : catalog.get(id)),
    };
    const error = appError(() => assertModelAllowed(withoutClaude, plans, 'pro', 'claude-default'));
    expect(error.code).toBe('model_unavailable');
    expect(error.extra.details).toEqual({ model: 'claude-default' });
  });

  it('refuses with requiredPlan null when no higher plan allows it', () => {
    const odd = parsePlansConfig({
      chatModel: 'chat-default',
      plansJson: '{"basic":["gemini-default"],"pro":["chat-default"]}',
    });
    const error = appError(() => assertModelAllowed(catalog, odd, 'pro', 'gemini-default'));
    expect(error.message).toBe(
      'The model "gemini-default" is not available on your plan (your plan is pro); choose another model.',
    );
    expect(error.extra.details).toEqual({ model: 'gemini-default', requiredPlan: null });
    expect(requiredPlanFor(catalog, odd, 'pro', 'gemini-default')).toBeNull();
  });
});
