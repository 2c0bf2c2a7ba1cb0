import type { CatalogModel } from './catalog-model.js';
import { dropUndefined } from './drop-undefined.js';
import type { LiveModels } from './model-discovery.js';
import { providerFromSlug } from './provider-inference.js';

const chatModes = new Set(['chat', 'completion', 'responses']);

export interface DiscoveryResult {
  models: CatalogModel[];
  /** Aliases of `unservedModels`, in configuration order. */
  unserved: string[];
  /** Configured, not hidden, and not served by the proxy: not callable, shown as such. */
  unservedModels: CatalogModel[];
}

/**
 * Cross-checks the configured catalog with what the proxy says it serves: an alias the proxy does not
 * serve is dropped (and reported as unserved); the rest gain the proxy's limits, prices, params and
 * capabilities where the configuration left them unset — the operator's `model_info` always wins.
 * Hidden models are kept whatever the proxy says: they are never offered, and the server's own calls
 * report their own errors. With `stale` (the proxy did not answer the last time) the last answer still
 * decides what is dropped and what is enriched, but no model is marked `served`.
 */
export function applyDiscovery(
  models: readonly CatalogModel[],
  live: LiveModels | null,
  options: { stale?: boolean } = {},
): DiscoveryResult {
  if (!live) return { models: [...models], unserved: [], unservedModels: [] };
  const kept: CatalogModel[] = [];
  const unservedModels: CatalogModel[] = [];
  for (const model of models) {
    const info = live.models.get(model.id);
    if (!info) {
      if (model.hidden) kept.push(model);
      else unservedModels.push(model);
      continue;
    }
    const enriched: CatalogModel = { ...model };
    const firstProvider = info.providers?.[0];
    if (enriched.provider === 'other' && firstProvider) enriched.provider = providerFromSlug(firstProvider);
    if (info.mode && !chatModes.has(info.mode)) enriched.hidden = true;
    enriched.maxInputTokens ??= info.maxInputTokens;
    enriched.maxOutputTokens ??= info.maxOutputTokens;
    if (enriched.inputCostPerToken === undefined && enriched.outputCostPerToken === undefined) {
      enriched.inputCostPerToken = info.inputCostPerToken;
      enriched.outputCostPerToken = info.outputCostPerToken;
    }
    enriched.supportsTemperature ??= info.supportsTemperature;
    enriched.supportsReasoning ??= info.supportsReasoning;
    enriched.reasoningEfforts ??= info.reasoningEfforts;
    enriched.supportsVision ??= info.supportsVision;
    enriched.supportsFunctionCalling ??= info.supportsFunctionCalling;
    if (!options.stale) {
      enriched.served = true;
      enriched.healthStatus = info.healthStatus;
    }
    kept.push(dropUndefined(enriched));
  }
  return { models: kept, unserved: unservedModels.map((model) => model.id), unservedModels };
}
