import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_MODEL_LABEL, loadCatalogSource, parseModelsJson } from '../../src/models/catalog-sources.js';

const base = { chatModel: 'chat-default', promptModel: 'prompt-helper' };

function tempFile(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'catalog-')), 'config.yaml');
  writeFileSync(path, content);
  return path;
}

const liteLlmYaml = `model_list:
  - model_name: chat-default
    litellm_params: { model: openai/gpt-4o-mini }
  - model_name: prompt-helper
    litellm_params: { model: openai/gpt-4o-mini }
`;

describe('loadCatalogSource', () => {
  it('reads the LiteLLM file in proxy mode and hides the prompt model even without model_info.hidden', async () => {
    const loaded = await loadCatalogSource({
      ...base,
      mode: 'proxy',
      liteLlmConfigPath: tempFile(liteLlmYaml),
    });
    expect(loaded.source).toBe('litellm-file');
    expect(loaded.models.map((model) => [model.id, model.hidden])).toEqual([
      ['chat-default', false],
      ['prompt-helper', true],
    ]);
    expect(loaded.warnings).toEqual([]);
  });

  it('falls back to LLM_MODELS_JSON when the file does not exist', async () => {
    const loaded = await loadCatalogSource({
      ...base,
      mode: 'proxy',
      liteLlmConfigPath: join(tmpdir(), 'no-such-dir', 'config.yaml'),
      modelsJson:
        '[{"id":"chat-default","label":"GPT","provider":"openai"},{"id":"claude-default","label":"Claude","provider":"anthropic"}]',
    });
    expect(loaded.source).toBe('models-json');
    expect(loaded.models.map((model) => model.id)).toEqual([
      'chat-default',
      'claude-default',
      'prompt-helper',
    ]);
    // The prompt model is always callable, never listed.
    expect(loaded.models[2]).toMatchObject({ id: 'prompt-helper', hidden: true });
    expect(loaded.warnings).toEqual([
      'LLM_MODEL_PROMPT_GEN "prompt-helper" is not in the models-json catalog; prompt generation may fail',
    ]);
  });

  it('ignores the LiteLLM file in direct mode (it names proxy aliases, not OpenAI model ids)', async () => {
    const loaded = await loadCatalogSource({
      mode: 'direct',
      chatModel: 'gpt-4o-mini',
      promptModel: 'gpt-4o-mini',
      liteLlmConfigPath: tempFile(liteLlmYaml),
    });
    expect(loaded).toEqual({
      source: 'chat-model',
      models: [{ id: 'gpt-4o-mini', label: 'gpt-4o-mini', provider: 'openai', hidden: false }],
      warnings: [],
    });
  });

  it('has a one-model catalog in demo mode', async () => {
    const loaded = await loadCatalogSource({
      ...base,
      mode: 'demo',
      liteLlmConfigPath: tempFile(liteLlmYaml),
    });
    expect(loaded.source).toBe('demo');
    expect(loaded.models).toEqual([
      { id: 'chat-default', label: DEMO_MODEL_LABEL, provider: 'demo', hidden: false },
      { id: 'prompt-helper', label: DEMO_MODEL_LABEL, provider: 'demo', hidden: true },
    ]);
  });

  it('keeps the chat model listed when it is also the prompt model', async () => {
    const loaded = await loadCatalogSource({ mode: 'demo', chatModel: 'demo', promptModel: 'demo' });
    expect(loaded.models).toEqual([{ id: 'demo', label: DEMO_MODEL_LABEL, provider: 'demo', hidden: false }]);
  });

  it('warns when the default chat model is missing from the catalog', async () => {
    const loaded = await loadCatalogSource({
      ...base,
      mode: 'proxy',
      modelsJson: '[{"id":"other","label":"Other","provider":"openai"}]',
    });
    expect(loaded.warnings).toContain('LLM_MODEL_CHAT "chat-default" is not in the models-json catalog');
  });

  it('rejects a broken LiteLLM file instead of falling back silently', async () => {
    await expect(
      loadCatalogSource({ ...base, mode: 'proxy', liteLlmConfigPath: tempFile('model_list: 3\n') }),
    ).rejects.toThrow(/config\.yaml: model_list: expected a non-empty list of models, got a number/);
  });
});

describe('parseModelsJson', () => {
  it('accepts {id,label,provider} and optional capability fields', () => {
    expect(
      parseModelsJson(
        '[{"id":"a","label":"A","provider":"OpenAI","maxOutputTokens":4096,"supportsTemperature":false},{"id":"b"}]',
      ),
    ).toEqual([
      {
        id: 'a',
        label: 'A',
        provider: 'openai',
        hidden: false,
        maxOutputTokens: 4096,
        supportsTemperature: false,
      },
      { id: 'b', label: 'b', provider: 'other', hidden: false },
    ]);
  });

  it('reads reasoning, vision and tool fields; supportsReasoning without a list offers low/medium/high', () => {
    const [reasoner, listed] = parseModelsJson(
      JSON.stringify([
        { id: 'o4-mini', supportsReasoning: true, supportsTemperature: false, supportsVision: true },
        {
          id: 'r',
          supportsReasoning: true,
          reasoningEfforts: ['Low', 'high'],
          supportsFunctionCalling: true,
        },
      ]),
    );
    expect(reasoner).toMatchObject({
      supportsReasoning: true,
      reasoningEfforts: ['low', 'medium', 'high'],
      supportsTemperature: false,
      supportsVision: true,
    });
    expect(listed).toMatchObject({ reasoningEfforts: ['low', 'high'], supportsFunctionCalling: true });
  });

  it.each([
    ['not json', /^LLM_MODELS_JSON: not valid JSON/],
    ['[{"id":"a","reasoningEfforts":"high"}]', /^LLM_MODELS_JSON: \[0\]\.reasoningEfforts: /],
    ['{"id":"a"}', /^LLM_MODELS_JSON: \(root\): .*array/],
    ['[]', /^LLM_MODELS_JSON: \(root\): .*>=1/],
    ['[{"id":""}]', /^LLM_MODELS_JSON: \[0\]\.id: /],
    ['[{"id":"a","lable":"typo"}]', /^LLM_MODELS_JSON: \[0\]: Unrecognized key: "lable"/],
    ['[{"id":"a"},{"id":"a"}]', /^LLM_MODELS_JSON: "a" is listed twice/],
  ])('rejects %s', (json, message) => {
    expect(() => parseModelsJson(json)).toThrow(message);
  });
});
