import type { ModelListEntry } from '@app/common';
import { ALL_MODELS, type PlanTable } from '../config/plans.js';
import { AppError } from '../errors.js';
import type { CatalogModel, CatalogReader } from './catalog-model.js';
import { modelSettings, type ModelSettings } from './model-capabilities.js';

/**
 * Which models a plan may use — pure functions over the in-memory catalog and plan table, so the list
 * endpoint and every service that calls a model (chatbot create/update, chat) answer the same way.
 * A plan the table does not know (removed from the config) counts as no plan: the baseline applies.
 */

/** The offered models a plan (or the baseline, for null) may use, in catalog order. */
export function allowedModels(catalog: CatalogReader, plans: PlanTable, plan: string | null): CatalogModel[] {
  const wanted = plans.modelsFor(effectivePlan(plans, plan));
  const all = wanted.includes(ALL_MODELS);
  const ids = new Set(wanted);
  return catalog.list().filter((model) => !model.hidden && (all || ids.has(model.id)));
}

/**
 * The cheapest plan above the caller's that allows `modelId`, or null when no higher plan does.
 */
export function requiredPlanFor(
  catalog: CatalogReader,
  plans: PlanTable,
  plan: string | null,
  modelId: string,
): string | null {
  const rank = plans.rankOf(effectivePlan(plans, plan));
  for (const candidate of plans.plans.slice(rank + 1)) {
    if (allowedModels(catalog, plans, candidate).some((model) => model.id === modelId)) return candidate;
  }
  return null;
}

export interface VisibleModelsOptions {
  /** LLM_SHOW_LOCKED_MODELS */
  showLocked: boolean;
  /** CHATBOT_MAX_TOKENS_CEILING, for each entry's `maxTokensAllowed`. */
  maxTokensCeiling: number;
}

/**
 * GET /api/llm/models for a caller: the allowed models in catalog order; then the allowed models the
 * proxy does not serve right now (`availability: 'unserved'`, not pickable); then (with `showLocked`)
 * the offered models a higher plan unlocks, marked `locked` with the cheapest such plan, cheapest plan
 * first. Models no higher plan allows are not shown at all. Every entry carries the settings a chatbot
 * on it may take for this caller (see model-capabilities.ts `modelSettings`).
 */
export function visibleModels(
  catalog: CatalogReader,
  plans: PlanTable,
  plan: string | null,
  options: VisibleModelsOptions,
): ModelListEntry[] {
  const { showLocked } = options;
  const limits = settingsLimits(plans, plan, options.maxTokensCeiling);
  const toListEntry = (model: CatalogModel) => listEntry(model, modelSettings(model, limits));
  const allowed = new Set(allowedModels(catalog, plans, plan).map((model) => model.id));
  const lockedBy = new Map<string, string>();
  if (showLocked) {
    const rank = plans.rankOf(effectivePlan(plans, plan));
    for (const candidate of plans.plans.slice(rank + 1)) {
      for (const model of allowedModels(catalog, plans, candidate)) {
        if (!allowed.has(model.id) && !lockedBy.has(model.id)) lockedBy.set(model.id, candidate);
      }
    }
  }
  const entries: ModelListEntry[] = [];
  for (const model of catalog.list()) {
    if (allowed.has(model.id)) entries.push(toListEntry(model));
    else if (lockedBy.has(model.id))
      entries.push({ ...toListEntry(model), locked: true, requiredPlan: lockedBy.get(model.id)! });
  }
  // Allowed first (usable models on top), then unserved ones, then locked ones grouped by the plan
  // that unlocks them.
  const unserved = (catalog.unservedModels?.() ?? [])
    .filter((model) => !model.hidden && planAllows(plans, plan, model.id))
    .map((model): ModelListEntry => ({ ...toListEntry(model), availability: 'unserved' }));
  const rankOf = (entry: ModelListEntry) => plans.rankOf(entry.requiredPlan);
  const locked = entries.filter((entry) => entry.locked).sort((a, b) => rankOf(a) - rankOf(b));
  return [...entries.filter((entry) => !entry.locked), ...unserved, ...locked];
}

/**
 * What a chatbot on `modelId` may set for a caller on `plan`: the same computation as the list's
 * entries, so the chatbot service refuses exactly what the form's hints announce. A model the proxy
 * does not serve right now is judged by its configuration; one the catalog lacks by the ceiling alone.
 */
export function chatbotModelSettings(
  catalog: CatalogReader,
  plans: PlanTable,
  plan: string | null,
  modelId: string,
  maxTokensCeiling: number,
): ModelSettings {
  const model = catalog.get(modelId) ?? catalog.unservedModels?.().find((entry) => entry.id === modelId);
  return modelSettings(model, settingsLimits(plans, plan, maxTokensCeiling));
}

function settingsLimits(plans: PlanTable, plan: string | null, ceiling: number) {
  return { ceiling, planMaxTokens: plans.limitsFor(effectivePlan(plans, plan)).maxTokens };
}

/** The plan's list names the alias (or "*"), whether or not the catalog offers it right now. */
function planAllows(plans: PlanTable, plan: string | null, modelId: string): boolean {
  const wanted = plans.modelsFor(effectivePlan(plans, plan));
  return wanted.includes(ALL_MODELS) || wanted.includes(modelId);
}

/**
 * Throws unless `plan` may use `modelId`; returns the catalog entry (for its limits) when it may.
 * - an alias the proxy does not serve right now → `model_unavailable` (503);
 * - an alias the server does not offer at all (unknown or hidden) → `model_not_allowed` (403),
 *   `details.requiredPlan` null;
 * - an alias a higher plan allows → `model_not_allowed` (403) naming that plan in the message and
 *   in `details.requiredPlan`.
 */
export function assertModelAllowed(
  catalog: CatalogReader,
  plans: PlanTable,
  plan: string | null,
  modelId: string,
): CatalogModel {
  const model = catalog.get(modelId);
  if (!model || model.hidden) {
    if (!model && catalog.isUnserved?.(modelId)) {
      throw new AppError(
        'model_unavailable',
        `The model "${modelId}" is not available right now; choose another model.`,
        {
          details: { model: modelId },
        },
      );
    }
    throw new AppError(
      'model_not_allowed',
      `The model "${modelId}" is not offered on this server; choose another model.`,
      {
        details: { model: modelId, requiredPlan: null },
      },
    );
  }
  if (allowedModels(catalog, plans, plan).some((allowed) => allowed.id === modelId)) return model;
  const current = effectivePlan(plans, plan);
  const yours = current ? `your plan is ${current}` : 'you have no plan';
  const requiredPlan = requiredPlanFor(catalog, plans, plan, modelId);
  const message = requiredPlan
    ? `The model "${modelId}" needs the ${requiredPlan} plan; ${yours}.`
    : `The model "${modelId}" is not available on your plan (${yours}); choose another model.`;
  throw new AppError('model_not_allowed', message, { details: { model: modelId, requiredPlan } });
}

/** One list entry: the catalog's public fields and the caller's settings for the model. */
export function listEntry(model: CatalogModel, settings: ModelSettings): ModelListEntry {
  const entry: ModelListEntry = { id: model.id, label: model.label, provider: model.provider };
  if (model.description !== undefined) entry.description = model.description;
  if (model.served) entry.availability = 'served';
  if (model.healthStatus !== undefined) entry.healthStatus = model.healthStatus;
  if (model.maxInputTokens !== undefined) entry.maxInputTokens = model.maxInputTokens;
  if (model.maxOutputTokens !== undefined) entry.maxOutputTokens = model.maxOutputTokens;
  entry.maxTokensAllowed = settings.maxTokens.max;
  if (settings.maxTokens.planClamp !== undefined) entry.maxTokensPlanClamp = settings.maxTokens.planClamp;
  if (model.inputCostPerToken !== undefined) entry.inputPricePer1k = per1k(model.inputCostPerToken);
  if (model.outputCostPerToken !== undefined) entry.outputPricePer1k = per1k(model.outputCostPerToken);
  if (model.supportsTemperature !== undefined) entry.supportsTemperature = model.supportsTemperature;
  if (model.supportsReasoning !== undefined) entry.supportsReasoning = model.supportsReasoning;
  if (settings.reasoningEfforts.length > 0) entry.reasoningEfforts = settings.reasoningEfforts;
  if (model.supportsVision !== undefined) entry.supportsVision = model.supportsVision;
  if (model.supportsFunctionCalling !== undefined)
    entry.supportsFunctionCalling = model.supportsFunctionCalling;
  return entry;
}

function per1k(costPerToken: number): number {
  // toPrecision hides float noise (1.5e-7 * 1000 = 0.00015000000000000001).
  return Number((costPerToken * 1000).toPrecision(6));
}

function effectivePlan(plans: PlanTable, plan: string | null): string | null {
  return plans.hasPlan(plan) ? plan : null;
}
