import type { LlmCallOptions, LlmClient } from '../llm/client.js';
import type { CatalogModel, CatalogReader } from '../models/catalog-model.js';
import { honoursTemperature, offeredReasoningEfforts } from '../models/model-capabilities.js';

/**
 * Every call's settings as the model takes them, from the catalog (read per call, so a catalog reload
 * applies at once):
 * - `temperature` is left out for a model that does not honour it (the chatbot keeps its value);
 * - `reasoningEffort` is sent only when the model accepts that effort, and then without `temperature`:
 *   Anthropic refuses any temperature but 1 while it thinks ("`temperature` may only be set to 1 when
 *   thinking is enabled"), which LiteLLM's `reasoning_effort` turns on for Claude, and the o-series
 *   ignores it anyway; with the effort on the model's default the temperature applies as usual;
 * - `maxTokens` is lowered to the model's output limit (a limit the operator lowered must not break
 *   chatbots saved before; the plan's clamp happened before, in the limits' admission).
 * A model the catalog does not know keeps its temperature and length and loses its effort.
 */
export function shapeCallOptions(model: CatalogModel | undefined, options: LlmCallOptions): LlmCallOptions {
  const shaped: LlmCallOptions = { ...options };
  if (shaped.temperature !== undefined && !honoursTemperature(model)) delete shaped.temperature;
  if (shaped.reasoningEffort !== undefined) {
    if (!offeredReasoningEfforts(model).includes(shaped.reasoningEffort)) delete shaped.reasoningEffort;
    else delete shaped.temperature;
  }
  const limit = model?.maxOutputTokens;
  if (shaped.maxTokens !== undefined && limit !== undefined && shaped.maxTokens > limit) {
    shaped.maxTokens = limit;
  }
  return shaped;
}

/**
 * The LLM client the services use: the same client, each call's options shaped for its model. Calls
 * without a model (the client's default) go through unchanged.
 */
export function withModelCapabilities(llm: LlmClient, catalog: Pick<CatalogReader, 'get'>): LlmClient {
  const shape = (options: LlmCallOptions | undefined) =>
    options?.model === undefined ? options : shapeCallOptions(catalog.get(options.model), options);
  return {
    generate: (messages, options) => llm.generate(messages, shape(options)),
    chatStream: (messages, options) => llm.chatStream(messages, shape(options)),
  };
}
