/**
 * One model the server knows about. `id` is an opaque alias (a LiteLLM `model_name`): the server passes
 * it through verbatim and never derives behaviour from its spelling — capabilities come from the fields.
 */
export interface CatalogModel {
  id: string;
  label: string;
  /** Lower-case provider slug for the badge: openai, anthropic, google, mistral, ollama, … or other. */
  provider: string;
  description?: string;
  /** Usable by the server (e.g. the prompt-generation model) but never offered to users. */
  hidden: boolean;
  maxInputTokens?: number;
  maxOutputTokens?: number;
  /** USD per token. */
  inputCostPerToken?: number;
  outputCostPerToken?: number;
  /**
   * false when the model does not honour `temperature` (it is then never sent); undefined when unknown.
   * Derived from fields, never from the id (see model-capabilities.ts `temperatureFromParams`).
   */
  supportsTemperature?: boolean;
  /** LiteLLM `supports_reasoning`. */
  supportsReasoning?: boolean;
  /**
   * The `reasoning_effort` values the model accepts, as reported (`supported_reasoning_efforts`) or
   * low/medium/high when it reports support without a list; [] when it has none; undefined when unknown.
   */
  reasoningEfforts?: string[];
  /** LiteLLM `supports_vision`. */
  supportsVision?: boolean;
  /** LiteLLM `supports_function_calling`. */
  supportsFunctionCalling?: boolean;
  /**
   * Set by discovery only: true when the proxy's last answer listed the alias; absent when no fresh
   * discovery says so (discovery off, or the proxy did not answer the last time).
   */
  served?: boolean;
  /** LiteLLM's `health_status` for the group, when its health checks run (discovery only). */
  healthStatus?: string;
  /**
   * The aliases LiteLLM falls back to when this one fails, in order (`router_settings.fallbacks` of the
   * LiteLLM file; absent without one). Names who continued an answer after a mid-stream fallback.
   */
  fallbacks?: string[];
}

/** Where the catalog came from (shown by /readyz). */
export type CatalogSource = 'litellm-file' | 'models-json' | 'chat-model' | 'demo';

/** The read side every consumer (eligibility, routes, services) needs. */
export interface CatalogReader {
  /** Every model the server may call, hidden ones included, in configuration order. */
  list(): readonly CatalogModel[];
  get(id: string): CatalogModel | undefined;
  /** True for a configured alias the proxy does not serve right now (it is absent from `list()`). */
  isUnserved?(id: string): boolean;
  /** The configured models the proxy does not serve right now (absent from `list()`), in config order. */
  unservedModels?(): readonly CatalogModel[];
  /** Changes whenever the content of `list()` changes; equal content gives an equal version. */
  readonly version: string;
  /** The alias a LiteLLM deployment id (`x-litellm-model-id`) belongs to, when discovery read `/model/info`. */
  aliasOfDeployment?(deploymentId: string): string | undefined;
}
