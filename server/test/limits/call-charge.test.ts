import { describe, expect, it } from 'vitest';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import {
  chargeCall,
  MAX_REPORTED_COST_USD,
  priceUsage,
  reachedUpstream,
  type FinishedCall,
} from '../../src/services/limits/call-charge.js';
import { countPromptTokens, countTextTokens } from '../../src/services/limits/token-count.js';

const PRICE = { inputCostPerToken: 0.000001, outputCostPerToken: 0.000002 };
const call = (overrides: Partial<FinishedCall> = {}): FinishedCall => ({
  reachedUpstream: true,
  reportedUsage: null,
  reportedCostUsd: null,
  prompt: [{ content: 'You are a helpful assistant.' }, { content: 'How many tokens is this question?' }],
  completion: '',
  ...overrides,
});

/** A 48,000-character prompt of ordinary mixed text (words, accents, emoji, CJK, code). */
function mixedText(length: number): string {
  const words = [
    'the',
    'quick',
    'brown',
    'fox',
    'Bonjour',
    'naïve',
    'café',
    '🙂',
    'const x = 42;',
    '数据',
    '\n',
  ];
  let seed = 7;
  let text = '';
  while (text.length < length) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    text += `${words[seed % words.length]} `;
  }
  return text.slice(0, length);
}

describe('what a finished call is charged (one decision for the ledger and the budget)', () => {
  it('charges a call stopped before any output its prompt, counted with the o200k tokenizer', () => {
    const charge = chargeCall(call(), PRICE, 500)!;
    const contents =
      countTokens('You are a helpful assistant.') + countTokens('How many tokens is this question?');
    // Contents plus the chat framing: 4 per message, 3 for the reply.
    expect(charge).toMatchObject({
      promptTokens: contents + 2 * 4 + 3,
      completionTokens: 0,
      tokensEstimated: true,
      costEstimated: true,
    });
    expect(charge.costUsd).toBeCloseTo((contents + 11) * 0.000001, 12);
  });

  it('counts a partial answer with the tokenizer, not characters / 4', () => {
    const partial = 'Tokenization is not four characters per token: 数据 🙂 naïve';
    const charge = chargeCall(call({ completion: partial }), PRICE, 500)!;
    expect(charge.completionTokens).toBe(countTokens(partial));
    expect(charge.completionTokens).not.toBe(Math.ceil(partial.length / 4));
  });

  it('charges a reasoning model that reported nothing its whole max tokens (hidden reasoning)', () => {
    const reasoning = { ...PRICE, supportsReasoning: true };
    expect(chargeCall(call(), reasoning, 500)!.completionTokens).toBe(500);
    const long = 'x '.repeat(800);
    expect(chargeCall(call({ completion: long }), reasoning, 500)!.completionTokens).toBe(countTokens(long));
    // Reported usage is the upstream's word, reasoning or not.
    const reported = call({ reportedUsage: { promptTokens: 10, completionTokens: 20 } });
    expect(chargeCall(reported, reasoning, 500)).toMatchObject({
      completionTokens: 20,
      tokensEstimated: false,
    });
  });

  it('uses the reported usage and cost as they are; prices reported tokens from the catalog when no cost came', () => {
    const reported = call({
      reportedUsage: { promptTokens: 100, completionTokens: 50 },
      reportedCostUsd: 0.25,
    });
    expect(chargeCall(reported, PRICE, 500)).toEqual({
      promptTokens: 100,
      completionTokens: 50,
      costUsd: 0.25,
      tokensEstimated: false,
      costEstimated: false,
    });
    const noCost = call({ reportedUsage: { promptTokens: 100, completionTokens: 50 } });
    const priced = chargeCall(noCost, PRICE, 500)!;
    expect(priced.costEstimated).toBe(true);
    expect(priced.costUsd).toBeCloseTo(0.0002, 12);
  });

  it('does not believe an absurd reported cost (catalog price instead), and never charges NaN or Infinity', () => {
    for (const reportedCostUsd of [
      1e300,
      Number.POSITIVE_INFINITY,
      Number.NaN,
      -1,
      MAX_REPORTED_COST_USD + 1,
    ]) {
      const price = priceUsage(10, 10, reportedCostUsd, PRICE);
      expect(price.costEstimated).toBe(true);
      expect(price.costUsd).toBeCloseTo(0.00003, 12);
    }
    expect(priceUsage(10, 10, MAX_REPORTED_COST_USD, PRICE)).toEqual({
      costUsd: MAX_REPORTED_COST_USD,
      costEstimated: false,
    });
    // Unknown price: 0, flagged as an estimate.
    expect(priceUsage(10, 10, null, undefined)).toEqual({ costUsd: 0, costEstimated: true });
  });

  it('charges nothing for a call that never reached the upstream', () => {
    expect(chargeCall(call({ reachedUpstream: false, completion: 'x' }), PRICE, 500)).toBeNull();
  });

  it('decides "reached" from how the call failed: refused by the upstream or never connected is free', () => {
    expect(reachedUpstream({ code: 'rate_limited', status: 429 })).toBe(false);
    expect(reachedUpstream({ code: 'upstream', status: 500 })).toBe(false);
    expect(reachedUpstream({ code: 'unavailable' })).toBe(false);
    expect(reachedUpstream({ code: 'aborted' })).toBe(true);
    expect(reachedUpstream({ code: 'timeout' })).toBe(true);
    expect(reachedUpstream({ code: 'unexpected_end' })).toBe(true);
  });
});

describe('counting tokens', () => {
  it('counts ordinary text exactly as the o200k encoding does, special-token text as text', () => {
    const text = mixedText(4_000);
    expect(countTextTokens(text)).toBe(countTokens(text));
    expect(countTextTokens('say <|endoftext|> please')).toBeGreaterThan(3);
    expect(countTextTokens('')).toBe(0);
    expect(countPromptTokens([])).toBe(3);
  });

  it('stays cheap for a 48,000-character prompt, pathological runs included', () => {
    const cases: Record<string, string> = {
      'mixed text': mixedText(48_000),
      'one 48,000-letter run': 'x'.repeat(48_000),
      'CJK run': '数'.repeat(48_000),
      'base64 blob': Buffer.from(Array.from({ length: 36_000 }, (_, index) => (index * 7919) % 256)).toString(
        'base64',
      ),
      'spaces only': ' '.repeat(48_000),
    };
    const figures: string[] = [];
    for (const [name, text] of Object.entries(cases)) {
      const started = performance.now();
      const tokens = countPromptTokens([{ content: text }]);
      const ms = performance.now() - started;
      figures.push(`${name}: ${tokens} tokens in ${ms.toFixed(1)} ms`);
      expect(tokens).toBeGreaterThan(0);
      // The unguarded BPE takes over a second on the 48,000-letter run; counted in slices, milliseconds.
      expect(ms).toBeLessThan(250);
    }
    console.log(`countPromptTokens, 48,000 characters: ${figures.join('; ')}`);
  });
});
