import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePlansConfig, parsePlansYaml } from '../../src/config/plans.js';
import { InvalidConfigError } from '../../src/models/invalid-config-error.js';

const example = readFileSync(new URL('../../../config/plans.yaml.example', import.meta.url), 'utf8');

describe("the plans' publishing section", () => {
  it('reads the example: pro and enterprise publish, basic and the baseline do not', () => {
    const table = parsePlansYaml(example, 'plans.yaml.example');
    expect(table.publishingFor('pro')).toEqual({
      allowed: true,
      maxPublishedBots: 3,
      visitorDefaults: {
        messagesPerHour: 20,
        messagesPerDay: 100,
        concurrentAnswers: 1,
        monthlySpendCapUsd: 5,
        perIpPerHour: 60,
      },
    });
    expect(table.publishingFor('enterprise')).toEqual({ allowed: true });
    expect(table.publishingFor('basic').allowed).toBe(false);
    expect(table.publishingFor(null).allowed).toBe(false);
    expect(table.publishingFor('unknown-plan').allowed).toBe(false);
  });

  it('lets everyone publish without a plans file (the laptop demo)', () => {
    const table = parsePlansConfig({ chatModel: 'chat-default' });
    expect(table.publishingFor(null)).toEqual({ allowed: true });
    expect(table.publishingFor('pro')).toEqual({ allowed: true });
  });

  it('refuses a malformed section, naming the field', () => {
    const text = `plans:\n  pro:\n    models: ["*"]\n    publishing: { allowed: yes-please, maxBots: 3 }\n`;
    expect(() => parsePlansYaml(text, 'plans.yaml')).toThrow(InvalidConfigError);
    expect(() => parsePlansYaml(text, 'plans.yaml')).toThrow(/publishing/);
  });
});
