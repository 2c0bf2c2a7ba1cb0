import { parseDocument } from 'yaml';
import type { CatalogModel } from './catalog-model.js';
import { dropUndefined } from './drop-undefined.js';
import { describeType, formatPath, InvalidConfigError } from './invalid-config-error.js';
import { reasoningEffortsFrom, temperatureFromParams } from './model-capabilities.js';
import { inferProvider, providerFromSlug } from './provider-inference.js';

/**
 * Reads the model catalog out of a LiteLLM proxy `config.yaml` — the same file the proxy reads.
 * Only `model_list` is looked at; every other section belongs to the proxy. Nothing from
 * `litellm_params` is surfaced except the provider implied by its `model` prefix, and `os.environ/…`
 * references are never resolved or shown.
 */

/** `model_info.mode` values a chatbot can use; other modes (embedding, image_generation…) stay hidden. */
const chatModes = new Set(['chat', 'completion', 'responses']);

interface Deployment {
  alias: string;
  litellmModel: string;
  customLlmProvider?: string;
  info: ModelInfo;
}

/** The `model_info` keys the app reads (documented in docs/models.md). */
interface ModelInfo {
  label?: string;
  provider?: string;
  description?: string;
  hidden?: boolean;
  mode?: string;
  maxInputTokens?: number;
  maxOutputTokens?: number;
  inputCostPerToken?: number;
  outputCostPerToken?: number;
  supportsTemperature?: boolean;
  supportsReasoning?: boolean;
  reasoningEfforts?: string[];
  supportsVision?: boolean;
  supportsFunctionCalling?: boolean;
}

export function parseLiteLlmConfig(yamlText: string, source: string): CatalogModel[] {
  const document = parseDocument(yamlText);
  if (document.errors.length > 0) {
    throw new InvalidConfigError(
      source,
      document.errors.map((error) => `invalid YAML: ${error.message.split('\n')[0]}`),
    );
  }
  const root: unknown = document.toJS();
  const problems: string[] = [];
  const deployments = readDeployments(root, problems);
  if (problems.length > 0) throw new InvalidConfigError(source, problems);
  const fallbacks = readFallbacks(root);
  return mergeDeployments(deployments).map((model) => {
    const next = fallbacks.get(model.id);
    return next ? { ...model, fallbacks: next } : model;
  });
}

/**
 * `router_settings.fallbacks`: `[{claude-default: [chat-default]}, …]`, each alias's fallbacks in the
 * order LiteLLM tries them. Read leniently: it belongs to the proxy, which validates it; an entry the
 * app cannot read only means it cannot name who continued an answer.
 */
function readFallbacks(root: unknown): Map<string, string[]> {
  const fallbacks = new Map<string, string[]>();
  const router = isMapping(root) ? root.router_settings : undefined;
  const list = isMapping(router) ? router.fallbacks : undefined;
  if (!Array.isArray(list)) return fallbacks;
  for (const entry of list) {
    if (!isMapping(entry)) continue;
    for (const [alias, targets] of Object.entries(entry)) {
      const names = Array.isArray(targets) ? targets : typeof targets === 'string' ? [targets] : [];
      const valid = names.filter(isPlainString).map((name) => name.trim());
      if (valid.length > 0 && !fallbacks.has(alias.trim())) fallbacks.set(alias.trim(), valid);
    }
  }
  return fallbacks;
}

function readDeployments(root: unknown, problems: string[]): Deployment[] {
  if (!isMapping(root)) {
    problems.push(`expected a mapping with a model_list, got ${describeType(root)}`);
    return [];
  }
  const list = root.model_list;
  if (!Array.isArray(list) || list.length === 0) {
    problems.push(`model_list: expected a non-empty list of models, got ${describeType(list)}`);
    return [];
  }
  const deployments: Deployment[] = [];
  list.forEach((entry: unknown, index) => {
    const deployment = readDeployment(entry, ['model_list', index], problems);
    // A wildcard route (`model_name: openai/*`) is not one model a user could pick.
    if (deployment && !deployment.alias.includes('*')) deployments.push(deployment);
  });
  return deployments;
}

function readDeployment(entry: unknown, path: (string | number)[], problems: string[]): Deployment | null {
  if (!isMapping(entry)) {
    problems.push(`${formatPath(path)}: expected a mapping, got ${describeType(entry)}`);
    return null;
  }
  const before = problems.length;
  const alias = entry.model_name;
  if (typeof alias !== 'string' || alias.trim() === '') {
    problems.push(`${formatPath([...path, 'model_name'])}: expected a string, got ${describeType(alias)}`);
  }
  const params = entry.litellm_params;
  let litellmModel: unknown;
  let customLlmProvider: unknown;
  if (!isMapping(params)) {
    problems.push(
      `${formatPath([...path, 'litellm_params'])}: expected a mapping, got ${describeType(params)}`,
    );
  } else {
    litellmModel = params.model;
    customLlmProvider = params.custom_llm_provider;
    if (typeof litellmModel !== 'string' || litellmModel.trim() === '') {
      problems.push(
        `${formatPath([...path, 'litellm_params', 'model'])}: expected a string, got ${describeType(litellmModel)}`,
      );
    }
    if (customLlmProvider !== undefined && typeof customLlmProvider !== 'string') {
      problems.push(`${formatPath([...path, 'litellm_params', 'custom_llm_provider'])}: expected a string`);
    }
  }
  const info = readModelInfo(entry.model_info, [...path, 'model_info'], problems);
  if (problems.length > before) return null;
  return {
    alias: (alias as string).trim(),
    litellmModel: litellmModel as string,
    ...(isPlainString(customLlmProvider) ? { customLlmProvider } : {}),
    info,
  };
}

function readModelInfo(value: unknown, path: (string | number)[], problems: string[]): ModelInfo {
  if (value === undefined || value === null) return {};
  if (!isMapping(value)) {
    problems.push(`${formatPath(path)}: expected a mapping, got ${describeType(value)}`);
    return {};
  }
  const at = (key: string) => formatPath([...path, key]);
  const text = (key: string): string | undefined => {
    const raw = value[key];
    if (raw === undefined || raw === null) return undefined;
    if (typeof raw !== 'string') {
      problems.push(`${at(key)}: expected a string, got ${describeType(raw)}`);
      return undefined;
    }
    return isPlainString(raw) ? raw.trim() : undefined;
  };
  const count = (key: string): number | undefined => {
    const raw = value[key];
    if (raw === undefined || raw === null) return undefined;
    if (typeof raw !== 'number' || !Number.isFinite(raw) || raw <= 0) {
      problems.push(`${at(key)}: expected a positive number, got ${describeType(raw)}`);
      return undefined;
    }
    return Math.floor(raw);
  };
  const price = (key: string): number | undefined => {
    const raw = value[key];
    if (raw === undefined || raw === null) return undefined;
    if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < 0) {
      problems.push(`${at(key)}: expected a number ≥ 0 (USD per token), got ${describeType(raw)}`);
      return undefined;
    }
    return raw;
  };
  const flag = (key: string): boolean | undefined => {
    const raw = value[key];
    if (raw === undefined || raw === null) return undefined;
    if (typeof raw !== 'boolean') {
      problems.push(`${at(key)}: expected true or false, got ${describeType(raw)}`);
      return undefined;
    }
    return raw;
  };
  const strings = (key: string): string[] | undefined => {
    const raw = value[key];
    if (raw === undefined || raw === null) return undefined;
    if (!Array.isArray(raw) || raw.some((item) => typeof item !== 'string')) {
      problems.push(`${at(key)}: expected a list of strings, got ${describeType(raw)}`);
      return undefined;
    }
    return raw as string[];
  };
  const params = strings('supported_openai_params');
  const supportsReasoning = flag('supports_reasoning');
  const provider = text('provider');
  return dropUndefined({
    label: text('label'),
    provider: provider === undefined ? undefined : providerFromSlug(provider),
    description: text('description'),
    hidden: flag('hidden'),
    mode: text('mode'),
    maxInputTokens: count('max_input_tokens'),
    // LiteLLM's legacy `max_tokens` in model_info means the output limit.
    maxOutputTokens: count('max_output_tokens') ?? count('max_tokens'),
    inputCostPerToken: price('input_cost_per_token'),
    outputCostPerToken: price('output_cost_per_token'),
    // The operator's explicit flag wins over what the params list implies (model-capabilities.ts).
    supportsTemperature: flag('supports_temperature') ?? temperatureFromParams(params, supportsReasoning),
    supportsReasoning,
    reasoningEfforts: reasoningEffortsFrom({
      efforts: strings('supported_reasoning_efforts'),
      params,
      supportsReasoning,
    }),
    supportsVision: flag('supports_vision'),
    supportsFunctionCalling: flag('supports_function_calling'),
  });
}

/**
 * Deployments sharing a `model_name` are one alias (LiteLLM load-balances them). Descriptive fields
 * come from the first deployment that sets them; limits take the smallest value and prices the largest,
 * because any deployment may serve a request.
 */
function mergeDeployments(deployments: readonly Deployment[]): CatalogModel[] {
  const byAlias = new Map<string, Deployment[]>();
  for (const deployment of deployments) {
    const group = byAlias.get(deployment.alias) ?? [];
    group.push(deployment);
    byAlias.set(deployment.alias, group);
  }
  return [...byAlias.entries()].map(([alias, group]) => {
    const infos = group.map((deployment) => deployment.info);
    const first = <K extends keyof ModelInfo>(key: K) => infos.find((info) => info[key] !== undefined)?.[key];
    const numbers = (
      key: 'maxInputTokens' | 'maxOutputTokens' | 'inputCostPerToken' | 'outputCostPerToken',
    ) => infos.map((info) => info[key]).filter((value): value is number => value !== undefined);
    const minOf = (values: number[]) => (values.length > 0 ? Math.min(...values) : undefined);
    const maxOf = (values: number[]) => (values.length > 0 ? Math.max(...values) : undefined);
    // A capability holds for the alias only when every deployment that says has it (any may serve).
    const all = (
      key: 'supportsTemperature' | 'supportsReasoning' | 'supportsVision' | 'supportsFunctionCalling',
    ) => {
      const flags = infos.map((info) => info[key]).filter((flag) => flag !== undefined);
      return flags.length === 0 ? undefined : flags.every(Boolean);
    };
    const effortLists = infos
      .map((info) => info.reasoningEfforts)
      .filter((efforts): efforts is string[] => efforts !== undefined);
    const [firstEfforts, ...otherEfforts] = effortLists;
    const head = group[0] as Deployment;
    const nonChat = infos.some((info) => info.mode !== undefined && !chatModes.has(info.mode));
    return dropUndefined({
      id: alias,
      label: first('label') ?? alias,
      provider: first('provider') ?? inferProvider(head.litellmModel, head.customLlmProvider),
      description: first('description'),
      hidden: nonChat || infos.some((info) => info.hidden === true),
      maxInputTokens: minOf(numbers('maxInputTokens')),
      maxOutputTokens: minOf(numbers('maxOutputTokens')),
      inputCostPerToken: maxOf(numbers('inputCostPerToken')),
      outputCostPerToken: maxOf(numbers('outputCostPerToken')),
      supportsTemperature: all('supportsTemperature'),
      supportsReasoning: all('supportsReasoning'),
      reasoningEfforts: firstEfforts?.filter((effort) => otherEfforts.every((list) => list.includes(effort))),
      supportsVision: all('supportsVision'),
      supportsFunctionCalling: all('supportsFunctionCalling'),
    }) as CatalogModel;
  });
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A usable display string: non-empty and not an unresolved `os.environ/` reference. */
function isPlainString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '' && !value.trim().startsWith('os.environ/');
}
