import type {
  ChatStreamEvent,
  LlmCallOptions,
  LlmClient,
  LlmMessage,
  LlmResponseInfo,
} from '../../llm/client.js';
import type { CatalogReader } from '../../models/catalog-model.js';
import { attributeAnswer } from './fallback.js';

/** What attribution needs from the catalog: the alias of a deployment, the fallbacks of an alias. */
export type AttributionSources = Pick<CatalogReader, 'get' | 'aliasOfDeployment'>;

/**
 * The LLM client the services use, with each answer's `modelGroup` and `attemptedFallbacks` saying
 * which alias served it as far as anything tells (fallback.ts): LiteLLM's headers, else the
 * deployment id through the catalog's `/model/info` map, and after a mid-stream switch the alias's
 * configured fallback. The stream's `start` and `done` events are rewritten, nothing else: one
 * `then` per event on the token path, no copy of a delta.
 */
export function withAnswerAttribution(llm: LlmClient, sources: AttributionSources): LlmClient {
  const attribute = <T extends LlmResponseInfo>(info: T, requested: string | null): T => {
    const deploymentAlias = info.deploymentId
      ? (sources.aliasOfDeployment?.(info.deploymentId) ?? null)
      : null;
    const { modelGroup, attemptedFallbacks } = attributeAnswer({
      requested,
      modelGroup: info.modelGroup,
      attemptedFallbacks: info.attemptedFallbacks,
      deploymentAlias,
      continued: info.completionSwitched === true,
      configuredFallbacks: requested === null ? undefined : sources.get(requested)?.fallbacks,
    });
    if (modelGroup === info.modelGroup && attemptedFallbacks === info.attemptedFallbacks) return info;
    return { ...info, modelGroup, attemptedFallbacks };
  };
  const mapEvent = (event: ChatStreamEvent, requested: string | null): ChatStreamEvent => {
    if (event.type === 'start') return attribute(event, requested);
    if (event.type === 'done') return { ...event, info: attribute(event.info, requested) };
    return event;
  };
  return {
    generate: async (messages: LlmMessage[], options?: LlmCallOptions) =>
      attribute(await llm.generate(messages, options), options?.model ?? null),
    chatStream: (messages: LlmMessage[], options?: LlmCallOptions): AsyncIterable<ChatStreamEvent> => {
      const stream = llm.chatStream(messages, options);
      const requested = options?.model ?? null;
      return {
        [Symbol.asyncIterator]: (): AsyncIterator<ChatStreamEvent> => {
          const inner = stream[Symbol.asyncIterator]();
          return {
            next: () =>
              inner
                .next()
                .then((step) => (step.done ? step : { done: false, value: mapEvent(step.value, requested) })),
            return: (value?: unknown) =>
              inner.return ? inner.return(value) : Promise.resolve({ done: true as const, value: undefined }),
          };
        },
      };
    },
  };
}
