import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BenchResult } from '../../bench/report/bench-result.js';
import { renderMarkdown } from '../../bench/report/markdown.js';

const resultsDir = path.resolve(import.meta.dirname, '../../bench/results');
const load = (name: string) =>
  JSON.parse(readFileSync(path.join(resultsDir, `${name}.json`), 'utf8')) as BenchResult;

describe('bench/report/markdown.ts', () => {
  it('says how many streams one core relays, per arm, from CPU per stream at c=50', () => {
    const result = load('2026-11-25-session8-node26');
    const level = result.latency.at(-1)!;
    // A's median stream (1,348.8 ms) over each arm’s CPU per stream (E ≈ 1.82, B ≈ 4.15, B-pg ≈ 3.45 ms).
    const expected = (arm: string) => Math.round(level.arms.A!.e2e.p50! / level.arms[arm]!.cpuMsPerStream!);
    expect([expected('E'), expected('B'), expected('B-pg')]).toEqual([742, 325, 391]);
    const markdown = renderMarkdown(result);
    expect(markdown).toContain(
      'Streams one core relays at this pacing, from CPU per stream at c=50 (a stream of 1349 ms ÷ its CPU): E ≈ 742, B ≈ 325, B-pg ≈ 391.',
    );
    // The mock has no CPU figure of its own here: it is not listed.
    expect(markdown).not.toMatch(/A ≈ \d/);
  });

  it('leaves the line out when no arm has a CPU figure', () => {
    const result = load('2026-11-25-session8-node26');
    for (const figures of Object.values(result.latency.at(-1)!.arms)) figures.cpuMsPerStream = null;
    expect(renderMarkdown(result)).not.toContain('Streams one core relays');
  });
});
