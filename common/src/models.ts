import type { ReasoningEffort } from './chatbot.js';

/** One entry of GET /api/llm/models. `id` is an opaque alias (a LiteLLM model_name). */
export interface ModelListEntry {
  id: string;
  label: string;
  /** openai | anthropic | google | mistral | meta | ollama | azure | bedrock | groq | deepseek | xai | other … */
  provider: string;
  description?: string;
  locked?: boolean;
  /** The cheapest plan that unlocks a locked model. */
  requiredPlan?: string;
  /**
   * Whether the proxy serves the model right now, from the server's last model discovery:
   * `served`, or `unserved` (configured and allowed, but the proxy does not serve it: it cannot be
   * picked now). Absent: not known (no proxy discovery, or the proxy did not answer lately).
   */
  availability?: 'served' | 'unserved';
  /** LiteLLM's own health check of the model (`health_status`, e.g. "healthy"), when it runs one. */
  healthStatus?: string;
  /** Capabilities from LiteLLM's model_info / model_group/info (or the operator's config), when known. */
  maxOutputTokens?: number;
  maxInputTokens?: number;
  /**
   * The largest `maxTokens` a chatbot on this model may be saved with: the model's output limit and the
   * server's ceiling combined. The server refuses more (`validation_failed`, details.field `maxTokens`).
   */
  maxTokensAllowed?: number;
  /**
   * The caller's plan answers with at most this many tokens (a larger setting is kept but clamped on
   * each call). Present only when it is lower than `maxTokensAllowed`.
   */
  maxTokensPlanClamp?: number;
  /** USD per 1K tokens, approximate. */
  inputPricePer1k?: number;
  outputPricePer1k?: number;
  /**
   * false when the model does not honour `temperature` (a chatbot's temperature is then kept but not
   * sent); true or absent: the temperature setting applies.
   */
  supportsTemperature?: boolean;
  /** The model thinks before it answers (LiteLLM `supports_reasoning`). */
  supportsReasoning?: boolean;
  /** The reasoning efforts a chatbot may pick for this model; absent or empty: no effort setting. */
  reasoningEfforts?: ReasoningEffort[];
  /** It accepts images (LiteLLM `supports_vision`). */
  supportsVision?: boolean;
  /** It can call tools (LiteLLM `supports_function_calling`). */
  supportsFunctionCalling?: boolean;
}

export interface Me {
  id: string;
  email: string;
  name: string;
  role: 'user' | 'admin';
  plan: string | null;
  /** This account became the administrator by being the instance's first. */
  firstAccount: boolean;
}

/** GET /api/config: what the SPA needs to know about the server. Public. */
export interface PublicServerInfo {
  llmMode: 'proxy' | 'direct' | 'demo';
  defaultModel: string;
  plans: string[];
  /** SIGNUP: anyone may sign up, only with an invite link, or nobody (the first account always may). */
  signup: 'open' | 'invite' | 'closed';
}
