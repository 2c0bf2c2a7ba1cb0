import { z } from 'zod';
import { reasoningEffortsFrom, temperatureFromParams } from './model-capabilities.js';
import { displayUrl, redactSecrets } from '../logging/redact.js';

/**
 * Asks a running proxy which aliases it really serves. LiteLLM's `/model_group/info` (at the proxy root)
 * is preferred because it also reports limits, prices and supported params; any OpenAI-compatible
 * upstream answers `{baseUrl}/models`, which only lists ids. LiteLLM's `/model/info` adds which
 * deployment belongs to which alias (read once per discovery, never per request).
 */

export interface LiveModelInfo {
  id: string;
  providers?: string[];
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
  healthStatus?: string;
}

export interface LiveModels {
  endpoint: 'model_group_info' | 'models';
  models: Map<string, LiveModelInfo>;
  /**
   * LiteLLM's deployment ids (`/model/info` `model_info.id`, the `x-litellm-model-id` of a response)
   * → their alias (`model_name`): on a stream the only sign of which alias answered. Empty when the
   * proxy has no `/model/info` (not LiteLLM, or a key without access to it).
   */
  deployments: Map<string, string>;
}

export interface DiscoveryOptions {
  /** The LLM base URL as given to the OpenAI SDK, with or without a trailing `/v1`. */
  baseUrl: string;
  apiKey?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

const positive = z.number().positive().nullish();
// Capability fields are read leniently: one odd value (a newer LiteLLM, a hand-edited model_info) is
// dropped for that field instead of failing the whole answer (which would hide every limit and price).
const optionalFlag = z.boolean().nullish().catch(undefined);
const optionalStrings = z.array(z.string()).nullish().catch(undefined);
const modelGroupInfoBody = z.object({
  data: z.array(
    z.object({
      model_group: z.string(),
      providers: z.array(z.string()).nullish(),
      mode: z.string().nullish(),
      max_input_tokens: positive,
      max_output_tokens: positive,
      input_cost_per_token: z.number().nonnegative().nullish(),
      output_cost_per_token: z.number().nonnegative().nullish(),
      supported_openai_params: z.array(z.string()).nullish(),
      supports_reasoning: optionalFlag,
      /** Newer LiteLLM releases only (absent in 1.81.13). */
      supported_reasoning_efforts: optionalStrings,
      supports_vision: optionalFlag,
      supports_function_calling: optionalFlag,
      /** Filled when LiteLLM's background health checks run; null in 1.81.13 without them. */
      health_status: z.string().nullish().catch(undefined),
    }),
  ),
});

const openAiModelsBody = z.object({ data: z.array(z.object({ id: z.string() })) });

/**
 * `/model/info`: one entry per deployment with ~70 cost-map fields each (≈ 55 KB for 19 aliases); only
 * `model_name` and `model_info.id` are read, entry by entry (an odd entry is skipped, not fatal).
 */
const modelInfoBody = z.object({ data: z.array(z.unknown()) });
const deploymentEntry = z.object({
  model_name: z.string().min(1).max(256),
  model_info: z.object({ id: z.string().min(1).max(256) }),
});

export async function fetchLiveModels(options: DiscoveryOptions, signal?: AbortSignal): Promise<LiveModels> {
  const base = options.baseUrl.replace(/\/+$/, '');
  const root = base.replace(/\/v1$/, '');
  // Side by side: the deployment map is extra, its failure never fails discovery.
  const deployments = fetchDeployments(root, options, signal);
  try {
    const body = await getJson(`${root}/model_group/info`, modelGroupInfoBody, options, signal);
    return {
      endpoint: 'model_group_info',
      models: new Map(body.data.map((group) => [group.model_group, fromGroup(group)])),
      deployments: await deployments,
    };
  } catch (groupError) {
    // Not LiteLLM, an older LiteLLM, or a key without access to it: the plain list still tells us what is served.
    try {
      const body = await getJson(`${base}/models`, openAiModelsBody, options, signal);
      return {
        endpoint: 'models',
        models: new Map(body.data.map((model) => [model.id, { id: model.id }])),
        deployments: await deployments,
      };
    } catch (modelsError) {
      throw new Error(`${describe(groupError)}; ${describe(modelsError)}`, { cause: modelsError });
    }
  }
}

async function fetchDeployments(
  root: string,
  options: DiscoveryOptions,
  signal: AbortSignal | undefined,
): Promise<Map<string, string>> {
  const deployments = new Map<string, string>();
  try {
    const body = await getJson(`${root}/model/info`, modelInfoBody, options, signal);
    for (const entry of body.data) {
      const parsed = deploymentEntry.safeParse(entry);
      if (parsed.success) deployments.set(parsed.data.model_info.id, parsed.data.model_name);
    }
  } catch {
    // No /model/info: streams are attributed by their headers alone.
  }
  return deployments;
}

function fromGroup(group: z.infer<typeof modelGroupInfoBody>['data'][number]): LiveModelInfo {
  const info: LiveModelInfo = { id: group.model_group };
  if (group.providers && group.providers.length > 0) info.providers = group.providers;
  if (group.mode) info.mode = group.mode;
  if (group.max_input_tokens) info.maxInputTokens = Math.floor(group.max_input_tokens);
  if (group.max_output_tokens) info.maxOutputTokens = Math.floor(group.max_output_tokens);
  // LiteLLM reports 0.0 for both prices when it has no price for a model: that is "unknown", not "free".
  const input = group.input_cost_per_token ?? 0;
  const output = group.output_cost_per_token ?? 0;
  if (input > 0 || output > 0) {
    info.inputCostPerToken = input;
    info.outputCostPerToken = output;
  }
  const params = group.supported_openai_params ?? undefined;
  const supportsReasoning = group.supports_reasoning ?? undefined;
  const supportsTemperature = temperatureFromParams(params, supportsReasoning);
  if (supportsTemperature !== undefined) info.supportsTemperature = supportsTemperature;
  if (supportsReasoning !== undefined) info.supportsReasoning = supportsReasoning;
  const efforts = reasoningEffortsFrom({
    efforts: group.supported_reasoning_efforts ?? undefined,
    params,
    supportsReasoning,
  });
  if (efforts !== undefined) info.reasoningEfforts = efforts;
  if (typeof group.supports_vision === 'boolean') info.supportsVision = group.supports_vision;
  if (typeof group.supports_function_calling === 'boolean')
    info.supportsFunctionCalling = group.supports_function_calling;
  const health = group.health_status?.trim();
  if (health) info.healthStatus = health;
  return info;
}

async function getJson<T>(
  url: string,
  schema: z.ZodType<T>,
  options: DiscoveryOptions,
  signal: AbortSignal | undefined,
): Promise<T> {
  const doFetch = options.fetch ?? fetch;
  const shown = displayUrl(url);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  let response: Response;
  try {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 5000);
    response = await doFetch(url, { headers, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
  } catch (error) {
    // eslint-disable-next-line preserve-caught-error -- its text may quote the URL: see networkReason
    throw new Error(`GET ${shown}: ${networkReason(error)}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`GET ${shown}: HTTP ${response.status}`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    // Not kept: V8's JSON.parse message quotes the body, which may echo our key.
    throw new Error(`GET ${shown}: the body is not JSON`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new Error(`GET ${shown}: unexpected response shape`);
  return parsed.data;
}

/**
 * These messages reach /readyz and the log: they name the URL without credentials or query, the
 * status (never the body or headers, which an upstream may fill with our key), and for a network
 * failure its reason (fetch says only "fetch failed"; the cause says ECONNREFUSED, ENOTFOUND, a
 * certificate problem), with any secret blanked. No `cause` is kept: its text may quote the URL.
 */
function networkReason(error: unknown): string {
  const outer = error instanceof Error ? error.message : String(error);
  const cause =
    error instanceof Error ? (error.cause as { message?: unknown; code?: unknown } | undefined) : undefined;
  const inner =
    typeof cause?.message === 'string' ? cause.message : typeof cause?.code === 'string' ? cause.code : '';
  const reason = inner.trim().replace(/\s+/g, ' ');
  return redactSecrets(reason && !outer.includes(reason) ? `${outer} (${reason})` : outer);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
