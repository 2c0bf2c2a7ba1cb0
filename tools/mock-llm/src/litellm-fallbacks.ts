import { failureOf, type ChatRouter } from './chat-answer-plan.js';
import type { LitellmTransport } from './flavor.js';
import type { MockFault, MockModel } from './mock-llm-types.js';

/**
 * LiteLLM's router for one request: when the requested deployment fails before its first token (a
 * 5xx, 429 or timeout on every attempt) and the alias has a fallback, the fallback answers; when its
 * stream is cut and LiteLLM runs on the httpx transport, the fallback continues it. Nothing falls
 * back with `disable_fallbacks: true` in the body or the `no-fallback` marker.
 */

/** Errors that make LiteLLM try the fallbacks (client errors do not). */
function fallsBack(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

/** What the fallback inherits from the request's fault: pacing and mid-stream faults, no failure. */
const failureKeys = [
  'status',
  'retryAfter',
  'retryAfterMs',
  'hang',
  'fallback',
  'fallbackTo',
  'noFallback',
] as const;

function carriedOver(fault: MockFault): MockFault {
  const rest: MockFault = { ...fault };
  for (const key of failureKeys) delete rest[key];
  // `error` names the in-band error's body when there is one; otherwise it is a failure.
  if (fault.inbandErrorAfter === undefined) delete rest.error;
  return rest;
}

export function litellmFallbacksRouter(
  models: ReadonlyMap<string, MockModel>,
  defaultTransport: LitellmTransport,
): ChatRouter {
  return (requested, fault, body) => {
    const model = models.get(requested);
    const disabled = body.disable_fallbacks === true || fault.noFallback === true;
    const candidates = fault.fallbackTo ? [fault.fallbackTo] : (model?.fallbacks ?? []);
    const target = disabled ? undefined : candidates[0];
    let primary = fault;
    // `fallback` alone: the deployment is down (Anthropic's 529 overloaded, or a 500).
    if ((fault.fallback || fault.fallbackTo) && !failureOf(fault))
      primary = { ...fault, status: model?.provider === 'anthropic' ? 529 : 500 };
    const failure = failureOf(primary);
    if (failure && target !== undefined && fallsBack(failure.status)) {
      const fault = { ...models.get(target)?.fault, ...carriedOver(primary) };
      return { served: target, fellBack: true, fault, midStreamFallback: null };
    }
    const transport = fault.transport ?? defaultTransport;
    return {
      served: requested,
      fellBack: false,
      fault: primary,
      midStreamFallback: transport === 'httpx' ? (target ?? null) : null,
    };
  };
}
