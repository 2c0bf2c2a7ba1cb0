import { deploymentOf } from './litellm-deployments.js';
import type { MockModel } from './mock-llm-types.js';

/**
 * LiteLLM's model endpoints, shaped as recorded: `/v1/models` (every alias, hidden ones too,
 * `owned_by: "openai"`, a fixed `created`), `/model/info` (one entry per deployment: its params and
 * the cost map's ~70 fields merged with the config's own `model_info`) and `/model_group/info` (one
 * entry per alias with its capabilities). Facts the mock does not model are null.
 */

// prettier-ignore
const openAiChatParams = [
  'frequency_penalty', 'logit_bias', 'logprobs', 'top_logprobs', 'max_tokens', 'max_completion_tokens',
  'modalities', 'prediction', 'n', 'presence_penalty', 'seed', 'stop', 'stream', 'stream_options',
  'temperature', 'top_p', 'tools', 'tool_choice', 'function_call', 'functions', 'max_retries',
  'extra_headers', 'parallel_tool_calls', 'audio', 'web_search_options', 'service_tier',
  'safety_identifier', 'prompt_cache_key', 'response_format',
];
// prettier-ignore
const openAiReasoningParams = [
  'logit_bias', 'max_tokens', 'max_completion_tokens', 'modalities', 'prediction', 'n', 'seed', 'stop',
  'stream', 'stream_options', 'temperature', 'tools', 'tool_choice', 'function_call', 'functions',
  'max_retries', 'extra_headers', 'audio', 'web_search_options', 'service_tier', 'safety_identifier',
  'prompt_cache_key', 'response_format', 'reasoning_effort',
];
// As recorded for each provider (LiteLLM 1.81.13's cost map).
// prettier-ignore
const paramsByProvider: Record<string, string[]> = {
  anthropic: [
    'stream', 'stop', 'temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'tools', 'tool_choice',
    'extra_headers', 'parallel_tool_calls', 'response_format', 'user', 'web_search_options', 'speed',
    'thinking', 'reasoning_effort',
  ],
  gemini: [
    'temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'stream', 'tools', 'tool_choice',
    'functions', 'response_format', 'n', 'stop', 'logprobs', 'frequency_penalty', 'presence_penalty',
    'modalities', 'parallel_tool_calls', 'web_search_options', 'reasoning_effort', 'thinking',
  ],
  mistral: [
    'stream', 'temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'tools', 'tool_choice', 'seed',
    'stop', 'response_format', 'parallel_tool_calls',
  ],
};

function supportedParams(model: MockModel): string[] {
  if (model.supportedOpenAiParams) return model.supportedOpenAiParams;
  const provider = model.provider ?? 'openai';
  if (provider === 'openai') return model.supportsReasoning ? openAiReasoningParams : openAiChatParams;
  return paramsByProvider[provider] ?? openAiChatParams;
}

export function litellmModelList(models: readonly MockModel[]) {
  return {
    data: models.map((model) => ({
      id: model.id,
      object: 'model',
      created: 1_677_610_602,
      owned_by: 'openai',
    })),
    object: 'list',
  };
}

// The cost map's fields between the prices the mock knows, in LiteLLM's order.
// prettier-ignore
const inputCostFields = [
  'input_cost_per_token_flex', 'input_cost_per_token_priority', 'cache_creation_input_token_cost',
  'cache_creation_input_token_cost_above_200k_tokens', 'cache_read_input_token_cost',
  'cache_read_input_token_cost_above_200k_tokens', 'cache_read_input_token_cost_flex',
  'cache_read_input_token_cost_priority', 'cache_creation_input_token_cost_above_1hr',
  'input_cost_per_character', 'input_cost_per_token_above_128k_tokens',
  'input_cost_per_token_above_200k_tokens', 'input_cost_per_query', 'input_cost_per_second',
  'input_cost_per_audio_token', 'input_cost_per_image_token', 'input_cost_per_image',
  'input_cost_per_audio_per_second', 'input_cost_per_video_per_second', 'input_cost_per_token_batches',
  'output_cost_per_token_batches',
];
// prettier-ignore
const outputCostFields = [
  'output_cost_per_token_flex', 'output_cost_per_token_priority', 'output_cost_per_audio_token',
  'output_cost_per_character', 'output_cost_per_reasoning_token', 'output_cost_per_token_above_128k_tokens',
  'output_cost_per_character_above_128k_tokens', 'output_cost_per_token_above_200k_tokens',
  'output_cost_per_second', 'output_cost_per_video_per_second', 'output_cost_per_image',
  'output_cost_per_image_token', 'output_vector_size', 'citation_cost_per_token', 'tiered_pricing',
];
const nulls = (fields: readonly string[]) => Object.fromEntries(fields.map((field) => [field, null]));

/** `true` or null: the cost map leaves out what a model cannot do. */
const trueOrNull = (value: boolean | undefined) => (value ? true : null);

function modelInfoEntry(model: MockModel, models: ReadonlyMap<string, MockModel>) {
  const deployment = deploymentOf(model.id, models);
  const { provider, providerModel } = deployment;
  const litellmParams: Record<string, unknown> = {};
  if (deployment.apiBaseConfigured) litellmParams.api_base = deployment.apiBase;
  if (model.tpm !== undefined) litellmParams.tpm = model.tpm;
  if (model.rpm !== undefined) litellmParams.rpm = model.rpm;
  if (model.timeoutSeconds !== undefined) litellmParams.timeout = model.timeoutSeconds;
  Object.assign(litellmParams, {
    use_in_pass_through: false,
    use_litellm_proxy: false,
    merge_reasoning_content_in_choices: false,
    model: `${provider}/${providerModel}`,
  });
  return {
    model_name: model.id,
    litellm_params: litellmParams,
    model_info: {
      id: deployment.id,
      db_model: false,
      ...model.modelInfo,
      key: provider === 'openai' || provider === 'anthropic' ? providerModel : `${provider}/${providerModel}`,
      max_tokens: model.maxOutputTokens ?? null,
      max_input_tokens: model.maxInputTokens ?? null,
      max_output_tokens: model.maxOutputTokens ?? null,
      input_cost_per_token: model.inputCostPerToken ?? null,
      ...nulls(inputCostFields),
      output_cost_per_token: model.outputCostPerToken ?? null,
      ...nulls(outputCostFields),
      litellm_provider: provider,
      mode: 'chat',
      supports_system_messages: null,
      supports_response_schema: null,
      supports_vision: trueOrNull(model.supportsVision),
      supports_function_calling: trueOrNull(model.supportsFunctionCalling),
      supports_tool_choice: null,
      supports_assistant_prefill: null,
      supports_prompt_caching: null,
      supports_audio_input: null,
      supports_audio_output: null,
      supports_pdf_input: null,
      supports_embedding_image_input: null,
      supports_native_streaming: null,
      supports_web_search: null,
      supports_url_context: null,
      supports_reasoning: trueOrNull(model.supportsReasoning),
      supports_computer_use: null,
      search_context_cost_per_query: null,
      tpm: null,
      rpm: null,
      ocr_cost_per_page: null,
      annotation_cost_per_page: null,
      supported_openai_params: supportedParams(model),
    },
  };
}

export function litellmModelInfo(models: readonly MockModel[]) {
  const byId = new Map(models.map((model) => [model.id, model]));
  return { data: models.map((model) => modelInfoEntry(model, byId)) };
}

export function litellmModelGroupInfo(models: readonly MockModel[]) {
  return {
    data: models.map((model) => ({
      model_group: model.id,
      providers: [model.provider ?? 'openai'],
      max_input_tokens: model.maxInputTokens ?? null,
      max_output_tokens: model.maxOutputTokens ?? null,
      input_cost_per_token: model.inputCostPerToken ?? null,
      output_cost_per_token: model.outputCostPerToken ?? null,
      input_cost_per_pixel: null,
      mode: 'chat',
      tpm: model.tpm ?? null,
      rpm: model.rpm ?? null,
      supports_parallel_function_calling: false,
      supports_vision: model.supportsVision === true,
      supports_web_search: false,
      supports_url_context: false,
      supports_reasoning: model.supportsReasoning === true,
      supports_function_calling: model.supportsFunctionCalling === true,
      supported_openai_params: supportedParams(model),
      configurable_clientside_auth_params: null,
      is_public_model_group: false,
      health_status: null,
      health_response_time: null,
      health_checked_at: null,
    })),
  };
}
