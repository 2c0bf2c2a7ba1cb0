import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLiteLlmConfig } from '../../src/models/litellm-config.js';
import { inferProvider } from '../../src/models/provider-inference.js';
import { InvalidConfigError } from '../../src/models/invalid-config-error.js';
import { ConfigError } from '../../src/config/config-error.js';

const fixture = readFileSync(new URL('./fixtures/litellm-multi-provider.yaml', import.meta.url), 'utf8');
const SOURCE = 'litellm/config.yaml';

function parseError(yaml: string): InvalidConfigError {
  try {
    parseLiteLlmConfig(yaml, SOURCE);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConfigError);
    return error as InvalidConfigError;
  }
  throw new Error('expected the config to be rejected');
}

describe('parseLiteLlmConfig', () => {
  const models = parseLiteLlmConfig(fixture, SOURCE);
  const byId = new Map(models.map((model) => [model.id, model]));

  it('turns each model_name into one alias, in file order, skipping wildcard routes', () => {
    expect(models.map((model) => model.id)).toEqual([
      'chat-default',
      'claude-default',
      'gemini-default',
      'mistral-default',
      'local-llama',
      'reasoning',
      'prompt-helper',
      'embeddings',
    ]);
  });

  it('reads label, description, limits and prices from model_info', () => {
    expect(byId.get('chat-default')).toEqual({
      id: 'chat-default',
      label: 'GPT-4o mini',
      provider: 'openai',
      description: 'Fast and inexpensive',
      hidden: false,
      maxInputTokens: 128000,
      maxOutputTokens: 16384,
      inputCostPerToken: 0.00000015,
      outputCostPerToken: 0.0000006,
    });
  });

  it('merges deployments of one alias: first label, smallest limit, highest price', () => {
    expect(byId.get('claude-default')).toEqual({
      id: 'claude-default',
      label: 'Claude Sonnet (Bedrock deployment)',
      provider: 'anthropic',
      hidden: false,
      maxOutputTokens: 32000,
      inputCostPerToken: 0.000003,
      outputCostPerToken: 0.0000165,
      // router_settings.fallbacks of the fixture.
      fallbacks: ['chat-default'],
    });
  });

  it('infers the provider from the litellm_params.model prefix and the label from the alias', () => {
    expect(byId.get('gemini-default')?.provider).toBe('google');
    expect(byId.get('mistral-default')).toEqual({
      id: 'mistral-default',
      label: 'mistral-default',
      provider: 'mistral',
      hidden: false,
    });
    expect(byId.get('reasoning')?.provider).toBe('openai');
  });

  it('takes model_info.provider over the prefix, and never surfaces an os.environ/ value', () => {
    expect(byId.get('local-llama')).toMatchObject({ provider: 'ollama', label: 'local-llama' });
    expect(JSON.stringify(models)).not.toContain('os.environ');
    expect(JSON.stringify(models)).not.toContain('ollama:11434');
  });

  it('hides model_info.hidden entries and non-chat modes, but keeps them usable', () => {
    expect(byId.get('prompt-helper')?.hidden).toBe(true);
    expect(byId.get('embeddings')?.hidden).toBe(true);
    expect(byId.get('chat-default')?.hidden).toBe(false);
  });

  it('reads temperature support from supported_openai_params, not from the model name', () => {
    expect(byId.get('reasoning')?.supportsTemperature).toBe(false);
    expect(byId.get('chat-default')?.supportsTemperature).toBeUndefined();
  });

  it('offers reasoning efforts where the params list reasoning_effort', () => {
    expect(byId.get('reasoning')?.reasoningEfforts).toEqual(['low', 'medium', 'high']);
    expect(byId.get('chat-default')).not.toHaveProperty('reasoningEfforts');
  });

  it('leaves the os.environ/ text in the file untouched', () => {
    expect(fixture).toContain('api_key: os.environ/OPENAI_API_KEY');
  });
});

describe('capability keys in model_info', () => {
  const parse = (modelInfo: string, second?: string) =>
    parseLiteLlmConfig(
      `model_list:
  - model_name: m
    litellm_params: { model: openai/some-model }
    model_info: ${modelInfo}
${
  second
    ? `  - model_name: m
    litellm_params: { model: azure/some-model }
    model_info: ${second}
`
    : ''
}`,
      SOURCE,
    )[0];

  it('reads supports_reasoning, supported_reasoning_efforts, supports_vision and supports_function_calling', () => {
    expect(
      parse(
        '{ supports_reasoning: true, supported_reasoning_efforts: [low, High], supports_vision: true, supports_function_calling: false }',
      ),
    ).toMatchObject({
      supportsReasoning: true,
      reasoningEfforts: ['low', 'high'],
      supportsVision: true,
      supportsFunctionCalling: false,
    });
  });

  it('a reasoning model whose params lack top_p does not honour temperature; supports_temperature wins', () => {
    // The o-series shape LiteLLM 1.81.13 reports (it lists temperature, then drops it).
    const oSeries = '[max_tokens, stream, temperature, reasoning_effort]';
    expect(parse(`{ supports_reasoning: true, supported_openai_params: ${oSeries} }`)).toMatchObject({
      supportsTemperature: false,
      reasoningEfforts: ['low', 'medium', 'high'],
    });
    expect(
      parse(`{ supports_reasoning: true, supports_temperature: true, supported_openai_params: ${oSeries} }`),
    ).toMatchObject({ supportsTemperature: true });
    expect(
      parse('{ supports_reasoning: true, supported_openai_params: [temperature, top_p, reasoning_effort] }'),
    ).toMatchObject({ supportsTemperature: true });
    expect(parse('{ supports_reasoning: false }')).toMatchObject({ reasoningEfforts: [] });
  });

  it('an alias has a capability only when every deployment that says has it', () => {
    expect(
      parse(
        '{ supports_vision: true, supported_reasoning_efforts: [low, medium, high] }',
        '{ supports_vision: false, supported_reasoning_efforts: [low, high] }',
      ),
    ).toMatchObject({ supportsVision: false, reasoningEfforts: ['low', 'high'] });
  });

  it('refuses a capability key of the wrong type, naming it', () => {
    expect(
      parseError(
        'model_list:\n  - model_name: a\n    litellm_params: { model: gpt-4o }\n    model_info: { supported_reasoning_efforts: high }\n',
      ).message,
    ).toBe(
      'litellm/config.yaml: model_list[0].model_info.supported_reasoning_efforts: expected a list of strings, got a string',
    );
  });
});

describe('parseLiteLlmConfig errors name the file and the problem', () => {
  it.each([
    [
      'model_list:\n  - model_name: a\n    litellm_params: { model: gpt-4o }\n  - model_name: b\n    litellm_params: { model: gpt-4o }\n  - model_name: 42\n    litellm_params: { model: gpt-4o }\n',
      'litellm/config.yaml: model_list[2].model_name: expected a string, got a number',
    ],
    [
      'model_list:\n  - model_name: a\n',
      'litellm/config.yaml: model_list[0].litellm_params: expected a mapping, got undefined',
    ],
    [
      'model_list:\n  - model_name: a\n    litellm_params: { api_key: os.environ/X }\n',
      'litellm/config.yaml: model_list[0].litellm_params.model: expected a string, got undefined',
    ],
    [
      'model_list:\n  - model_name: a\n    litellm_params: { model: gpt-4o }\n    model_info: { max_output_tokens: lots }\n',
      'litellm/config.yaml: model_list[0].model_info.max_output_tokens: expected a positive number, got a string',
    ],
    [
      'model_list:\n  - model_name: a\n    litellm_params: { model: gpt-4o }\n    model_info: { hidden: "yes" }\n',
      'litellm/config.yaml: model_list[0].model_info.hidden: expected true or false, got a string',
    ],
    [
      'model_list:\n  - model_name: a\n    litellm_params: { model: gpt-4o }\n    model_info: [label]\n',
      'litellm/config.yaml: model_list[0].model_info: expected a mapping, got a list',
    ],
    [
      'model_list:\n  - just-a-string\n',
      'litellm/config.yaml: model_list[0]: expected a mapping, got a string',
    ],
    ['model_list: []\n', 'litellm/config.yaml: model_list: expected a non-empty list of models, got a list'],
    [
      'general_settings: {}\n',
      'litellm/config.yaml: model_list: expected a non-empty list of models, got undefined',
    ],
    ['- a\n- b\n', 'litellm/config.yaml: expected a mapping with a model_list, got a list'],
  ])('%#', (yaml, message) => {
    expect(parseError(yaml).message).toBe(message);
  });

  it('reports invalid YAML with the file name', () => {
    const error = parseError('model_list:\n  - model_name: a\n   litellm_params: [\n');
    expect(error.message).toMatch(/^litellm\/config\.yaml: invalid YAML: /);
  });

  it('lists every problem at once, and is a ConfigError so start-up reports it', () => {
    const error = parseError('model_list:\n  - model_name: 1\n  - model_name: b\n');
    expect(error.message.split('\n')).toHaveLength(3);
    expect(error).toBeInstanceOf(ConfigError);
  });
});

describe('inferProvider', () => {
  it.each([
    ['openai/gpt-4o', 'openai'],
    ['gpt-4.1-mini', 'openai'],
    ['o1', 'openai'],
    ['o3-mini', 'openai'],
    ['o4-mini', 'openai'],
    ['chatgpt-4o-latest', 'openai'],
    ['anthropic/claude-opus-4-1', 'anthropic'],
    ['claude-3-5-haiku-latest', 'anthropic'],
    ['gemini/gemini-2.5-pro', 'google'],
    ['vertex_ai/gemini-2.5-flash', 'google'],
    ['mistral/mistral-small-latest', 'mistral'],
    ['azure/my-gpt4o-deployment', 'azure'],
    ['bedrock/anthropic.claude-3-haiku', 'bedrock'],
    ['ollama/llama3', 'ollama'],
    ['ollama_chat/qwen3', 'ollama'],
    ['groq/llama-3.3-70b-versatile', 'groq'],
    ['deepseek/deepseek-chat', 'deepseek'],
    ['xai/grok-4', 'xai'],
    ['together_ai/meta-llama/Llama-3-70b', 'together'],
    ['openrouter/anthropic/claude-3.5-sonnet', 'openrouter'],
    ['os.environ/MODEL', 'other'],
    ['my-custom-model', 'other'],
  ])('%s → %s', (model, provider) => {
    expect(inferProvider(model)).toBe(provider);
  });

  it('prefers custom_llm_provider', () => {
    expect(inferProvider('my-model', 'openai')).toBe('openai');
  });
});

describe('the shipped litellm/config.yaml.example', () => {
  it('loads through the catalog parser with the documented aliases and providers', () => {
    const text = readFileSync(new URL('../../../litellm/config.yaml.example', import.meta.url), 'utf8');
    const parsed = parseLiteLlmConfig(text, 'litellm/config.yaml.example');
    const byId = Object.fromEntries(parsed.map((model) => [model.id, [model.provider, model.hidden]]));
    expect(byId).toMatchObject({
      'chat-default': ['openai', false],
      'claude-default': ['anthropic', false],
      'gemini-default': ['google', false],
      'mistral-default': ['mistral', false],
      'prompt-helper': ['openai', true],
    });
  });
});

describe('router_settings.fallbacks', () => {
  it('gives each alias its fallbacks in order; reads leniently what belongs to the proxy', () => {
    const yaml = `model_list:
  - model_name: chat-default
    litellm_params: { model: openai/gpt-4.1-mini }
  - model_name: claude-default
    litellm_params: { model: anthropic/claude-sonnet-4 }
  - model_name: gemini-default
    litellm_params: { model: gemini/gemini-2.5-flash }
  - model_name: mistral-default
    litellm_params: { model: mistral/mistral-small-latest }
router_settings:
  fallbacks:
    - claude-default: ['chat-default']
    - gemini-default: ['chat-default', 'claude-default']
    - mistral-default: 42
    - not-a-mapping
`;
    const byId = new Map(parseLiteLlmConfig(yaml, SOURCE).map((model) => [model.id, model]));
    expect(byId.get('claude-default')?.fallbacks).toEqual(['chat-default']);
    expect(byId.get('gemini-default')?.fallbacks).toEqual(['chat-default', 'claude-default']);
    expect(byId.get('mistral-default')).not.toHaveProperty('fallbacks');
    expect(byId.get('chat-default')).not.toHaveProperty('fallbacks');
  });

  it('reads the shipped example’s fallbacks', () => {
    const text = readFileSync(new URL('../../../litellm/config.yaml.example', import.meta.url), 'utf8');
    const byId = new Map(parseLiteLlmConfig(text, 'litellm/config.yaml.example').map((m) => [m.id, m]));
    for (const alias of ['claude-default', 'gemini-default', 'mistral-default'])
      expect(byId.get(alias)?.fallbacks).toEqual(['chat-default']);
  });
});
