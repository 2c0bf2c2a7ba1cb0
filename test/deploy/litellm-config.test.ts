import { describe, expect, it } from 'vitest';
import { parseLiteLlmConfig } from '../../server/src/models/litellm-config.js';
import { isRecord, loadYamlFile, readRepoFile } from './support/repo-files.js';

const path = 'litellm/config.yaml.example';
const text = readRepoFile(path);
const config = loadYamlFile(path).data as Record<string, unknown>;
const modelList = config.model_list as {
  model_name: string;
  litellm_params: Record<string, unknown>;
  model_info?: Record<string, unknown>;
}[];

/** Top-level sections LiteLLM's proxy documents for config.yaml (docs.litellm.ai/docs/proxy/configs). */
const knownSections = new Set([
  'model_list',
  'litellm_settings',
  'router_settings',
  'general_settings',
  'environment_variables',
  'callback_settings',
  'guardrails',
  'credential_list',
  'include',
]);

/** Every scalar in a parsed YAML tree with its dotted path. */
function scalars(value: unknown, path: string[] = []): { path: string; key: string; value: unknown }[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => scalars(item, [...path, String(index)]));
  if (isRecord(value)) return Object.entries(value).flatMap(([key, item]) => scalars(item, [...path, key]));
  return [{ path: path.join('.'), key: path.at(-1) ?? '', value }];
}

describe('litellm/config.yaml.example', () => {
  it('loads through the app catalog loader with the five aliases and their providers', () => {
    const models = parseLiteLlmConfig(text, path);
    const summary = Object.fromEntries(
      models.map((model) => [model.id, { provider: model.provider, hidden: model.hidden }]),
    );
    expect(summary).toEqual({
      'chat-default': { provider: 'openai', hidden: false },
      'claude-default': { provider: 'anthropic', hidden: false },
      'gemini-default': { provider: 'google', hidden: false },
      'mistral-default': { provider: 'mistral', hidden: false },
      'prompt-helper': { provider: 'openai', hidden: true },
    });
    for (const model of models) expect(model.label, model.id).not.toBe(model.id);
  });

  it('uses only the top-level sections LiteLLM knows', () => {
    for (const section of Object.keys(config)) expect(knownSections, section).toContain(section);
    expect(Object.keys(config)).toEqual(
      expect.arrayContaining(['model_list', 'litellm_settings', 'router_settings', 'general_settings']),
    );
  });

  it('reads every secret with os.environ/ and never uses ${...}, which LiteLLM does not expand', () => {
    const all = scalars(config);
    const secrets = all.filter(({ key }) =>
      /api_key|master_key|password|secret|database_url|salt/i.test(key),
    );
    expect(secrets.length).toBeGreaterThanOrEqual(modelList.length + 2);
    for (const secret of secrets)
      expect(secret.value, secret.path).toMatch(/^os\.environ\/[A-Z_][A-Z0-9_]*$/);
    for (const scalar of all) expect(String(scalar.value), scalar.path).not.toMatch(/\$\{/);
    expect(isRecord(config.general_settings) && 'api_keys' in config.general_settings).toBe(false);
    expect(text).not.toMatch(/\bsk-[A-Za-z0-9]{8,}/);
  });

  it('names each deployment as <provider>/<model> with a key, an rpm limit and a label for the app', () => {
    for (const entry of modelList) {
      const model = String(entry.litellm_params.model);
      expect(model, entry.model_name).toMatch(
        /^(openai|anthropic|gemini|mistral|ollama_chat|azure|bedrock|vertex_ai)\/\S+$/,
      );
      expect(entry.litellm_params.api_key, entry.model_name).toMatch(/^os\.environ\//);
      expect(entry.litellm_params.rpm, entry.model_name).toEqual(expect.any(Number));
      expect(entry.model_info?.label, entry.model_name).toEqual(expect.any(String));
      expect(entry.model_info?.provider, entry.model_name).toEqual(expect.any(String));
    }
    const gemini = modelList.find((entry) => entry.model_name === 'gemini-default');
    expect(gemini?.litellm_params.model).toMatch(/^gemini\//); // Google AI Studio, not Vertex
  });

  it('sets the proxy behaviour the app relies on', () => {
    const litellm = config.litellm_settings as Record<string, unknown>;
    expect(litellm.drop_params).toBe(true);
    expect(litellm.num_retries).toEqual(expect.any(Number));
    expect(litellm.request_timeout).toBeGreaterThanOrEqual(60); // seconds; ≥ the app's LLM_TIMEOUT_MS default
    expect(litellm.include_cost_in_streaming_usage).toBe(true);
    expect(litellm.cache).toBe(true);
    expect(litellm.cache_params).toMatchObject({ type: 'redis', mode: 'default_off' });

    const general = config.general_settings as Record<string, unknown>;
    expect(general.master_key).toBe('os.environ/LITELLM_MASTER_KEY');
    // The app sends stream_options.include_usage itself; this key means different things across
    // LiteLLM versions (docs/decisions/0006-litellm-version.md), so the example does not set it.
    expect(general).not.toHaveProperty('always_include_stream_usage');
    const mistral = modelList.find((entry) => entry.model_name === 'mistral-default');
    expect(mistral?.litellm_params.api_base).toMatch(/^https:\/\//); // MISTRAL_API_BASE is ignored

    const router = config.router_settings as Record<string, unknown>;
    expect(router.redis_host).toBe('os.environ/REDIS_HOST');
    const aliases = new Set(modelList.map((entry) => entry.model_name));
    const fallbacks = router.fallbacks as Record<string, string[]>[];
    expect(fallbacks.length).toBeGreaterThan(0);
    for (const fallback of fallbacks) {
      const [from, to] = Object.entries(fallback)[0] as [string, string[]];
      expect(aliases, from).toContain(from);
      for (const target of to) expect(aliases, target).toContain(target);
    }
    expect(fallbacks).toContainEqual({ 'claude-default': ['chat-default'] });
  });
});
