/**
 * LiteLLM's `usage` objects, key for key as recorded. Their shape follows the provider of the
 * deployment that served: OpenAI's counts (LiteLLM adds `completion_tokens_details` to streams),
 * OpenAI's detail objects for reasoning models, Anthropic's text and cache counts.
 */

export type UsageStyle = 'openai' | 'anthropic' | 'continuation';

export interface UsageCounts {
  prompt: number;
  /** Content and reasoning tokens together, as `completion_tokens`. */
  completion: number;
  reasoning: number;
}

export function usageStyleOf(provider: string): UsageStyle {
  return provider === 'anthropic' ? 'anthropic' : 'openai';
}

/** The usage of a stream's usage chunk; `cost` is left out when undefined. */
export function litellmStreamUsage(style: UsageStyle, counts: UsageCounts, cost: number | undefined) {
  const base = {
    completion_tokens: counts.completion,
    prompt_tokens: counts.prompt,
    total_tokens: counts.prompt + counts.completion,
  };
  if (style === 'continuation') return { ...base, completion_tokens_details: {}, cost };
  if (style === 'anthropic') {
    return {
      ...base,
      completion_tokens_details: { reasoning_tokens: 0, text_tokens: counts.completion },
      prompt_tokens_details: { cached_tokens: 0, cache_creation_tokens: 0 },
      cost,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    };
  }
  if (counts.reasoning > 0) return { ...base, ...reasoningDetails(counts.reasoning), cost };
  return { ...base, completion_tokens_details: { reasoning_tokens: 0 }, cost };
}

/** The usage of a whole answer (never with a cost: that is in `x-litellm-response-cost`). */
export function litellmWholeUsage(style: UsageStyle, counts: UsageCounts) {
  const base = {
    completion_tokens: counts.completion,
    prompt_tokens: counts.prompt,
    total_tokens: counts.prompt + counts.completion,
  };
  if (style === 'anthropic') {
    return {
      ...base,
      completion_tokens_details: { reasoning_tokens: 0, text_tokens: counts.completion },
      prompt_tokens_details: { cached_tokens: 0, cache_creation_tokens: 0 },
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    };
  }
  return counts.reasoning > 0 ? { ...base, ...reasoningDetails(counts.reasoning) } : base;
}

function reasoningDetails(reasoning: number) {
  return {
    completion_tokens_details: {
      accepted_prediction_tokens: 0,
      audio_tokens: 0,
      reasoning_tokens: reasoning,
      rejected_prediction_tokens: 0,
    },
    prompt_tokens_details: { audio_tokens: 0, cached_tokens: 0 },
  };
}
