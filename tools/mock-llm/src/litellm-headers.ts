import { performance } from 'node:perf_hooks';
import type { LitellmDeployment } from './litellm-deployments.js';
import { pythonFloat } from './python-format.js';

/**
 * LiteLLM 1.81.13's response headers, in its order. Streams carry only the deployment that served,
 * the version and a cost breakdown of zeros (the cost is in the usage chunk); whole answers add the
 * model group, attempted fallbacks, durations, rate limits and the provider's headers; errors carry
 * a handful.
 */

export const litellmVersion = '1.81.13';

const zeroBreakdown = {
  'x-litellm-response-cost-original': '0.0',
  'x-litellm-response-cost-discount-amount': '0.0',
  'x-litellm-response-cost-margin-amount': '0.0',
  'x-litellm-response-cost-margin-percent': '0.0',
};

/** A stream's api base names the endpoint for Anthropic (`…/v1/messages`); a whole answer's does not. */
function apiBaseOf(deployment: LitellmDeployment, stream: boolean): string {
  return stream && deployment.provider === 'anthropic'
    ? `${deployment.apiBase}/v1/messages`
    : deployment.apiBase;
}

export function litellmStreamHeaders(
  callId: string,
  deployment: LitellmDeployment,
  version: string,
): Record<string, string> {
  return {
    'x-litellm-call-id': callId,
    'x-litellm-model-id': deployment.id,
    'x-litellm-model-api-base': apiBaseOf(deployment, true),
    'x-litellm-version': version,
    ...zeroBreakdown,
    'x-litellm-key-spend': '0.0',
    'content-type': 'text/event-stream; charset=utf-8',
  };
}

export interface WholeAnswerFacts {
  callId: string;
  deployment: LitellmDeployment;
  version: string;
  costUsd: number;
  bodyBytes: number;
  /** `performance.now()` when the request arrived. */
  at: number;
  fellBack: boolean;
  /** Requests and tokens the served alias has used in the current minute, this one included. */
  used: { requests: number; tokens: number };
}

function milliseconds(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

export function litellmWholeHeaders(facts: WholeAnswerFacts): Record<string, string> {
  const { deployment } = facts;
  const cost = pythonFloat(facts.costUsd);
  const duration = performance.now() - facts.at;
  const headers: Record<string, string> = {
    'content-length': String(facts.bodyBytes),
    'content-type': 'application/json',
    'x-litellm-call-id': facts.callId,
    'x-litellm-model-id': deployment.id,
    'x-litellm-model-api-base': apiBaseOf(deployment, false),
    'x-litellm-version': facts.version,
    'x-litellm-response-cost': cost,
    'x-litellm-response-cost-original': cost,
    'x-litellm-response-cost-discount-amount': '0.0',
    'x-litellm-response-cost-margin-amount': '0.0',
    'x-litellm-response-cost-margin-percent': '0.0',
    'x-litellm-key-spend': cost,
    'x-litellm-response-duration-ms': milliseconds(duration),
  };
  // Recorded for OpenAI deployments, not for Anthropic ones.
  if (deployment.provider !== 'anthropic')
    headers['x-litellm-overhead-duration-ms'] = milliseconds(Math.min(duration, 2 + Math.random() * 2));
  Object.assign(headers, {
    'llm_provider-content-type': 'application/json',
    'llm_provider-content-length': String(facts.bodyBytes),
    'llm_provider-date': new Date().toUTCString(),
    'llm_provider-connection': 'keep-alive',
    'llm_provider-keep-alive': 'timeout=120',
    'x-litellm-model-group': deployment.alias,
  });
  const { tpm, rpm } = deployment.model ?? {};
  if (tpm !== undefined) {
    headers['x-ratelimit-remaining-tokens'] = String(Math.max(0, tpm - facts.used.tokens));
    headers['x-ratelimit-limit-tokens'] = String(tpm);
  }
  if (rpm !== undefined) {
    headers['x-ratelimit-remaining-requests'] = String(Math.max(0, rpm - facts.used.requests));
    headers['x-ratelimit-limit-requests'] = String(rpm);
  }
  headers['x-litellm-attempted-retries'] = '0';
  headers['x-litellm-attempted-fallbacks'] = facts.fellBack ? '1' : '0';
  return headers;
}

/** An error answer; `deployment` is null when no alias matched (no model id, no timeout). */
export function litellmErrorHeaders(
  callId: string,
  deployment: LitellmDeployment | null,
  bodyBytes: number,
): Record<string, string> {
  const headers: Record<string, string> = { 'x-litellm-call-id': callId };
  if (deployment) headers['x-litellm-model-id'] = deployment.id;
  headers['x-litellm-response-cost'] = '0';
  headers['x-litellm-key-spend'] = '0.0';
  if (deployment) headers['x-litellm-timeout'] = timeoutText(deployment);
  headers['content-length'] = String(bodyBytes);
  headers['content-type'] = 'application/json';
  return headers;
}

/** `120` for the global `request_timeout`, `2.0` for an alias's own `timeout`, as recorded. */
function timeoutText(deployment: LitellmDeployment): string {
  return deployment.model?.timeoutSeconds === undefined ? '120' : pythonFloat(deployment.timeoutSeconds);
}

/** Counts each alias's requests and tokens per minute, for `x-ratelimit-remaining-*`. */
export class MinuteUsage {
  private readonly windows = new Map<string, { minute: number; requests: number; tokens: number }>();

  add(alias: string, tokens: number): { requests: number; tokens: number } {
    const minute = Math.floor(Date.now() / 60_000);
    let window = this.windows.get(alias);
    if (!window || window.minute !== minute) {
      window = { minute, requests: 0, tokens: 0 };
      this.windows.set(alias, window);
    }
    window.requests++;
    window.tokens += tokens;
    return { requests: window.requests, tokens: window.tokens };
  }
}
