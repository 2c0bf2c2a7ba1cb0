import type { MockModel } from './mock-llm-types.js';

/** The `legacy` flavour's `GET /v1/models`, in OpenAI's list shape. */
export function modelList(models: readonly MockModel[]) {
  return {
    object: 'list',
    data: models.map((model) => ({
      id: model.id,
      object: 'model',
      created: 1_700_000_000,
      owned_by: 'openai',
    })),
  };
}

/** The `legacy` flavour's `GET /model_group/info`, roughly LiteLLM's (the recorded: litellm-model-info). */
export function modelGroupInfo(models: readonly MockModel[]) {
  return {
    data: models.map((model) => ({
      model_group: model.id,
      providers: [model.provider ?? 'openai'],
      max_input_tokens: model.maxInputTokens ?? null,
      max_output_tokens: model.maxOutputTokens ?? null,
      input_cost_per_token: model.inputCostPerToken ?? null,
      output_cost_per_token: model.outputCostPerToken ?? null,
      mode: 'chat',
      supports_function_calling: false,
      supports_vision: false,
      supported_openai_params: [
        'frequency_penalty',
        'max_completion_tokens',
        'max_tokens',
        'presence_penalty',
        'stop',
        'stream',
        'stream_options',
        'temperature',
        'top_p',
        'user',
      ],
    })),
  };
}
