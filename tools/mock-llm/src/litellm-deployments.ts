import { createHash } from 'node:crypto';
import type { MockModel } from './mock-llm-types.js';

/** One alias's deployment as LiteLLM names it in headers and `/model/info`. */
export interface LitellmDeployment {
  alias: string;
  /** `x-litellm-model-id`. */
  id: string;
  provider: string;
  /** The provider's model name (`gpt-4.1-mini`): the whole answer's `model` after a fallback. */
  providerModel: string;
  /** `x-litellm-model-api-base`. */
  apiBase: string;
  apiBaseConfigured: boolean;
  timeoutSeconds: number;
  systemFingerprint: string | null;
  model: MockModel | undefined;
}

const publicApiBases: Record<string, string> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  gemini: 'https://generativelanguage.googleapis.com/v1beta',
  mistral: 'https://api.mistral.ai/v1',
};

/** LiteLLM's deployment ids are 64 hex digits; the mock derives a stable one from the alias. */
export function defaultDeploymentId(alias: string): string {
  return createHash('sha256').update(`mock-llm deployment ${alias}`).digest('hex');
}

export function deploymentOf(alias: string, models: ReadonlyMap<string, MockModel>): LitellmDeployment {
  const model = models.get(alias);
  const provider = model?.provider ?? 'openai';
  return {
    alias,
    id: model?.deploymentId ?? defaultDeploymentId(alias),
    provider,
    providerModel: model?.providerModel ?? alias,
    apiBase: model?.apiBase ?? publicApiBases[provider] ?? `https://api.${provider}.example/v1`,
    apiBaseConfigured: model?.apiBase !== undefined,
    timeoutSeconds: model?.timeoutSeconds ?? 120,
    systemFingerprint:
      model?.systemFingerprint !== undefined
        ? model.systemFingerprint
        : provider === 'openai'
          ? 'fp_mock'
          : null,
    model,
  };
}

/** `router_settings.fallbacks` as LiteLLM holds it: one `{alias: [fallbacks]}` per alias, in config order. */
export function routerFallbacks(models: readonly MockModel[]): Array<Record<string, string[]>> {
  return models
    .filter((model) => model.fallbacks && model.fallbacks.length > 0)
    .map((model) => ({ [model.id]: [...(model.fallbacks as string[])] }));
}

/** What the exception's class is called in LiteLLM's messages (`OpenAIException - …`). */
export function providerExceptionName(provider: string): string {
  if (provider === 'openai') return 'OpenAIException';
  if (provider === 'anthropic') return 'AnthropicError';
  return `${provider.charAt(0).toUpperCase()}${provider.slice(1)}Exception`;
}
