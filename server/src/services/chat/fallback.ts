/**
 * Which alias answered a call, when LiteLLM fell back from the one requested.
 *
 * The response's `model` is not a sign: LiteLLM writes the requested alias there, except on a whole
 * (non-streamed) answer after a fallback, where it writes the provider's model name (`gpt-4.1-mini`,
 * not an alias); on a stream it is always the requested alias, fallback or not. OpenAI's own `model`
 * is a dated name that differs from the requested one on every call. The signs are:
 *
 * - `x-litellm-model-group` (`modelGroup`): the alias that served. Whole answers always carry it;
 *   streams only from LiteLLM versions that send it (not 1.81; 1.108 does).
 * - the deployment id (`x-litellm-model-id`, on streams too) mapped to its alias by `/model/info`
 *   (`deploymentAlias`), when discovery read it.
 * - `x-litellm-attempted-fallbacks`: that a fallback happened, not which one.
 * - `continued`: the stream switched completions mid-answer (LiteLLM's mid-stream fallback). The
 *   headers then still name the deployment that failed, so they are not believed: the answer is the
 *   configured fallback's when the LiteLLM file names exactly one for the alias, else unnamed.
 */
export interface AnswerFacts {
  /** The alias the call asked for. */
  requested: string | null;
  modelGroup: string | null;
  attemptedFallbacks: number | null;
  deploymentAlias?: string | null;
  continued?: boolean;
  /** `router_settings.fallbacks` of the requested alias, in order, when the LiteLLM file was read. */
  configuredFallbacks?: readonly string[] | undefined;
}

export interface Attribution {
  /** The alias that served (all of it, or the continuation), when known: what `model_group` stores. */
  modelGroup: string | null;
  /** How many fallbacks LiteLLM made, when known: what `attempted_fallbacks` stores. */
  attemptedFallbacks: number | null;
  /** The alias that answered in place of the requested one; null without a fallback or when unknown. */
  answeredBy: string | null;
  /** A fallback answered this answer, or part of it (named by `answeredBy` when known). */
  fallback: boolean;
}

/**
 * Pure, and stable on its own output: fed the stored `modelGroup` and `attemptedFallbacks` again
 * (a stored message read back), it gives the same `answeredBy` and `fallback`.
 */
export function attributeAnswer(facts: AnswerFacts): Attribution {
  const count = facts.attemptedFallbacks ?? 0;
  const onlyFallback = facts.configuredFallbacks?.length === 1 ? facts.configuredFallbacks[0]! : null;
  if (facts.continued) {
    return {
      modelGroup: onlyFallback,
      attemptedFallbacks: Math.max(1, count),
      answeredBy: onlyFallback,
      fallback: true,
    };
  }
  const served = facts.modelGroup ?? facts.deploymentAlias ?? null;
  if (served !== null && facts.requested !== null && served !== facts.requested) {
    return { modelGroup: served, attemptedFallbacks: Math.max(1, count), answeredBy: served, fallback: true };
  }
  if (served === null && count > 0) {
    return { modelGroup: onlyFallback, attemptedFallbacks: count, answeredBy: onlyFallback, fallback: true };
  }
  return {
    modelGroup: served,
    attemptedFallbacks: facts.attemptedFallbacks,
    answeredBy: null,
    fallback: false,
  };
}
