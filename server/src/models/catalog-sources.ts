import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { CatalogModel, CatalogSource } from './catalog-model.js';
import { dropUndefined } from './drop-undefined.js';
import { formatPath, InvalidConfigError } from './invalid-config-error.js';
import { parseLiteLlmConfig } from './litellm-config.js';
import { reasoningEffortsFrom } from './model-capabilities.js';
import { inferProvider } from './provider-inference.js';

/** How the LLM is reached (decided by the lead's config: base URL → proxy, key only → direct, none → demo). */
export type LlmMode = 'proxy' | 'direct' | 'demo';

export interface CatalogSourceOptions {
  mode: LlmMode;
  /** LLM_MODEL_CHAT: the default model of new chatbots. */
  chatModel: string;
  /** LLM_MODEL_PROMPT_GEN: always usable by the server, never offered to users. */
  promptModel: string;
  /** LITELLM_CONFIG_PATH: read in proxy mode when the file exists. */
  liteLlmConfigPath?: string;
  /** LLM_MODELS_JSON, raw. */
  modelsJson?: string;
}

export interface LoadedCatalog {
  source: CatalogSource;
  models: CatalogModel[];
  /** Things an operator should fix that do not stop the server. */
  warnings: string[];
}

export const DEMO_MODEL_LABEL = 'Demo model (offline)';

const modelsJsonEntry = z
  .object({
    id: z.string().trim().min(1),
    label: z.string().trim().min(1).optional(),
    provider: z.string().trim().min(1).optional(),
    description: z.string().optional(),
    hidden: z.boolean().optional(),
    maxInputTokens: z.number().int().positive().optional(),
    maxOutputTokens: z.number().int().positive().optional(),
    inputCostPerToken: z.number().nonnegative().optional(),
    outputCostPerToken: z.number().nonnegative().optional(),
    supportsTemperature: z.boolean().optional(),
    supportsReasoning: z.boolean().optional(),
    /** The `reasoning_effort` values it accepts; omitted with supportsReasoning: low, medium and high. */
    reasoningEfforts: z.array(z.string().trim().min(1)).optional(),
    supportsVision: z.boolean().optional(),
    supportsFunctionCalling: z.boolean().optional(),
  })
  .strict();
const modelsJsonSchema = z.array(modelsJsonEntry).min(1);

/** `LLM_MODELS_JSON`: `[{"id":"chat-default","label":"GPT-4o mini","provider":"openai"}, …]`. */
export function parseModelsJson(json: string, source = 'LLM_MODELS_JSON'): CatalogModel[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new InvalidConfigError(source, [`not valid JSON (${(error as Error).message})`]);
  }
  const parsed = modelsJsonSchema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidConfigError(
      source,
      parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`),
    );
  }
  const seen = new Set<string>();
  const duplicates = parsed.data.filter((entry) => seen.size === seen.add(entry.id).size);
  if (duplicates.length > 0) {
    throw new InvalidConfigError(
      source,
      duplicates.map((entry) => `"${entry.id}" is listed twice`),
    );
  }
  return parsed.data.map((entry) =>
    dropUndefined({
      ...entry,
      label: entry.label ?? entry.id,
      provider: entry.provider?.toLowerCase() ?? inferProvider(entry.id),
      hidden: entry.hidden ?? false,
      reasoningEfforts: reasoningEffortsFrom({
        efforts: entry.reasoningEfforts,
        supportsReasoning: entry.supportsReasoning,
      }),
    }),
  );
}

/** Reads the configured source. Throws InvalidConfigError for a broken file or value. */
export async function loadCatalogSource(options: CatalogSourceOptions): Promise<LoadedCatalog> {
  const picked = await pickSource(options);
  return { source: picked.source, ...withServerModels(picked.models, options, picked.source) };
}

async function pickSource(
  options: CatalogSourceOptions,
): Promise<{ source: CatalogSource; models: CatalogModel[] }> {
  if (options.mode === 'demo') {
    return {
      source: 'demo',
      models: [{ id: options.chatModel, label: DEMO_MODEL_LABEL, provider: 'demo', hidden: false }],
    };
  }
  // The LiteLLM file names proxy aliases; a direct OpenAI connection needs real model ids instead.
  if (options.mode === 'proxy' && options.liteLlmConfigPath) {
    const text = await readIfExists(options.liteLlmConfigPath);
    if (text !== null)
      return { source: 'litellm-file', models: parseLiteLlmConfig(text, options.liteLlmConfigPath) };
  }
  if (options.modelsJson !== undefined && options.modelsJson.trim() !== '') {
    return { source: 'models-json', models: parseModelsJson(options.modelsJson) };
  }
  return {
    source: 'chat-model',
    models: [
      {
        id: options.chatModel,
        label: options.chatModel,
        provider: inferProvider(options.chatModel),
        hidden: false,
      },
    ],
  };
}

/**
 * The prompt-generation model must be callable but never listed: it is hidden (unless it is also the
 * default chat model) and added when the source lacks it, with a warning.
 */
export function withServerModels(
  models: readonly CatalogModel[],
  options: Pick<CatalogSourceOptions, 'chatModel' | 'promptModel'>,
  source: CatalogSource,
): { models: CatalogModel[]; warnings: string[] } {
  const warnings: string[] = [];
  const result = models.map((model) =>
    model.id === options.promptModel && model.id !== options.chatModel ? { ...model, hidden: true } : model,
  );
  if (source === 'demo') {
    if (options.promptModel !== options.chatModel) {
      result.push({ id: options.promptModel, label: DEMO_MODEL_LABEL, provider: 'demo', hidden: true });
    }
    return { models: result, warnings };
  }
  if (!result.some((model) => model.id === options.promptModel)) {
    warnings.push(
      `LLM_MODEL_PROMPT_GEN "${options.promptModel}" is not in the ${source} catalog; prompt generation may fail`,
    );
    result.push({
      id: options.promptModel,
      label: options.promptModel,
      provider: inferProvider(options.promptModel),
      hidden: true,
    });
  }
  const chat = result.find((model) => model.id === options.chatModel);
  if (!chat) warnings.push(`LLM_MODEL_CHAT "${options.chatModel}" is not in the ${source} catalog`);
  else if (chat.hidden)
    warnings.push(`LLM_MODEL_CHAT "${options.chatModel}" is hidden, so no user can pick it`);
  return { models: result, warnings };
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new InvalidConfigError(path, [`cannot be read (${(error as Error).message})`]);
  }
}
