import type { ModelListEntry } from '@app/common';
import { providerName } from './provider-style';

const formatUsd = (value: number) => {
  if (value === 0) return '$0';
  if (value >= 0.1) return `$${value.toFixed(2)}`;
  return `$${Number(value.toPrecision(2))}`;
};

/** "≈ $0.00015 in / $0.0006 out per 1K tokens", or null when the price is unknown. */
export function formatPrice(model: ModelListEntry): string | null {
  const input = model.inputPricePer1k;
  const output = model.outputPricePer1k;
  if (input === undefined && output === undefined) return null;
  if (input === 0 && output === 0) return 'free';
  const parts = [];
  if (input !== undefined) parts.push(`${formatUsd(input)} in`);
  if (output !== undefined) parts.push(`${formatUsd(output)} out`);
  return `≈ ${parts.join(' / ')} per 1K tokens`;
}

const capitalize = (value: string) => value.charAt(0).toUpperCase() + value.slice(1);

/** The text of a native <option>: label, provider in words (badges cannot live in options), price. */
export function optionText(model: ModelListEntry): string {
  const parts = [model.label, providerName(model.provider)];
  if (model.locked) {
    parts.push(model.requiredPlan ? `Upgrade to ${capitalize(model.requiredPlan)}` : 'Upgrade required');
  } else if (model.availability === 'unserved') {
    parts.push('not served right now');
  } else {
    const price = formatPrice(model);
    if (price) parts.push(price);
  }
  return parts.join(' — ');
}

export const planName = (plan: string) => capitalize(plan);

export const effortName = (effort: string) => capitalize(effort);

/** Thousands with a comma whatever the browser's locale, as the server words its limits. */
export const formatCount = (value: number) => value.toLocaleString('en-US');

/** "128K" for a context window. */
export function formatTokens(value: number): string {
  if (value >= 1_000_000) return `${Number((value / 1_000_000).toFixed(1))}M`;
  if (value >= 1_000) return `${Math.round(value / 1_000)}K`;
  return String(value);
}

/** The features a model reports, as short words for tags. */
export function capabilityTags(model: ModelListEntry): string[] {
  const tags: string[] = [];
  if (model.supportsReasoning) tags.push('Reasoning');
  if (model.supportsVision) tags.push('Vision');
  if (model.supportsFunctionCalling) tags.push('Tools');
  return tags;
}

export interface HealthLine {
  tone: 'ok' | 'warning';
  text: string;
}

/**
 * Whether the proxy serves the model right now, and LiteLLM's own health check when it runs one.
 * Null when nothing is known (no proxy discovery, or the proxy did not answer lately).
 */
export function healthLine(model: ModelListEntry): HealthLine | null {
  if (model.availability === 'unserved')
    return { tone: 'warning', text: 'Not served by the proxy right now' };
  const health = model.healthStatus?.toLowerCase();
  if (health && health !== 'healthy') return { tone: 'warning', text: `Health check: ${health}` };
  if (model.availability === 'served')
    return {
      tone: 'ok',
      text: health === 'healthy' ? 'Served · health check passed' : 'Served by the proxy',
    };
  if (health === 'healthy') return { tone: 'ok', text: 'Health check passed' };
  return null;
}
