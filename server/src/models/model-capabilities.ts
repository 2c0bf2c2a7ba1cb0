import { REASONING_EFFORTS, type ReasoningEffort } from '@app/common';
import type { CatalogModel } from './catalog-model.js';

/**
 * What a model takes, derived from catalog fields only — never from the spelling of its id. Every
 * source (the LiteLLM file's `model_info`, the proxy's `/model_group/info`, LLM_MODELS_JSON) reads its
 * own fields through these rules; the operator's explicit keys always win over a derived value.
 * docs/models.md ("Capabilities") describes them with the recordings that back them.
 */

/** Efforts offered when a model reports `reasoning_effort` support without its own list. */
export const DEFAULT_REASONING_EFFORTS: readonly string[] = REASONING_EFFORTS;

/**
 * Whether `temperature` is honoured, from LiteLLM's `supported_openai_params` and `supports_reasoning`:
 * - not listed → false;
 * - listed, but the model reasons and `top_p` is not listed → false. LiteLLM 1.81.13 lists
 *   `temperature` for o4-mini yet drops any value but 1 without a word (recording
 *   `unsupported-param-temperature`: the provider request had no temperature); the o-series lists lack
 *   `top_p` and `presence_penalty`, while reasoning models that do honour temperature (Claude Sonnet 4,
 *   Gemini 2.5 Flash) list `top_p` too;
 * - listed otherwise → true; no list → undefined (unknown: the setting is offered and sent).
 */
export function temperatureFromParams(
  params: readonly string[] | undefined,
  supportsReasoning: boolean | undefined,
): boolean | undefined {
  if (!params) return undefined;
  if (!params.includes('temperature')) return false;
  if (supportsReasoning === true && !params.includes('top_p')) return false;
  return true;
}

/**
 * The reasoning efforts a model accepts:
 * - an explicit list (`supported_reasoning_efforts`, newer LiteLLM; absent in 1.81.13) → that list;
 * - `supports_reasoning: false` → none;
 * - a params list → low/medium/high when it names `reasoning_effort` (LiteLLM 1.81.13 does for
 *   o4-mini, Claude Sonnet 4 and Gemini 2.5 Flash, not for gpt-4.1-mini or Mistral), else none;
 * - no params list but `supports_reasoning: true` → low/medium/high;
 * - nothing known → undefined (no effort setting is offered).
 */
export function reasoningEffortsFrom(fields: {
  efforts?: readonly string[] | undefined;
  params?: readonly string[] | undefined;
  supportsReasoning?: boolean | undefined;
}): string[] | undefined {
  if (fields.efforts) return normaliseEfforts(fields.efforts);
  if (fields.supportsReasoning === false) return [];
  if (fields.params) return fields.params.includes('reasoning_effort') ? [...DEFAULT_REASONING_EFFORTS] : [];
  if (fields.supportsReasoning === true) return [...DEFAULT_REASONING_EFFORTS];
  return undefined;
}

/** Trimmed, lower-case, without duplicates or empty strings, in the given order. */
export function normaliseEfforts(efforts: readonly string[]): string[] {
  return [...new Set(efforts.map((effort) => effort.trim().toLowerCase()).filter(Boolean))];
}

/** The efforts a chatbot may pick: the model's, limited to the setting's values, in their order. */
export function offeredReasoningEfforts(model: CatalogModel | undefined): ReasoningEffort[] {
  const efforts = new Set(model?.reasoningEfforts ?? []);
  return REASONING_EFFORTS.filter((effort) => efforts.has(effort));
}

/** Unknown counts as honoured: the setting stays as it always was unless a field says otherwise. */
export function honoursTemperature(model: CatalogModel | undefined): boolean {
  return model?.supportsTemperature !== false;
}

export interface MaxTokensLimit {
  /** The largest `maxTokens` a chatbot on the model may be saved with (refused above). */
  max: number;
  /** The plan's answer length when it is below `max`: a larger setting is clamped per call, not refused. */
  planClamp?: number;
}

/**
 * The one computation of a chatbot's max-tokens limit, used by GET /api/llm/models (the form's hints),
 * the chatbot service (what it refuses) and, through the plan's `maxTokens`, the same number the
 * limits' admission clamps to: the model's output limit and the server ceiling
 * (CHATBOT_MAX_TOKENS_CEILING), whichever is lower; the plan's `maxTokens` is reported beside it.
 */
export function maxTokensLimit(
  model: Pick<CatalogModel, 'maxOutputTokens'> | undefined,
  limits: { ceiling: number; planMaxTokens?: number | undefined },
): MaxTokensLimit {
  const max = Math.max(1, Math.min(limits.ceiling, model?.maxOutputTokens ?? limits.ceiling));
  const planClamp = limits.planMaxTokens;
  return planClamp !== undefined && planClamp < max ? { max, planClamp } : { max };
}

/** What a chatbot on a model may set, for one caller (plan) on this server. */
export interface ModelSettings {
  maxTokens: MaxTokensLimit;
  honoursTemperature: boolean;
  reasoningEfforts: ReasoningEffort[];
}

export function modelSettings(
  model: CatalogModel | undefined,
  limits: { ceiling: number; planMaxTokens?: number | undefined },
): ModelSettings {
  return {
    maxTokens: maxTokensLimit(model, limits),
    honoursTemperature: honoursTemperature(model),
    reasoningEfforts: offeredReasoningEfforts(model),
  };
}
