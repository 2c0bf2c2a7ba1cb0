import type { LadderResult } from '../phases/ladder-phase.js';
import type { LatencyLevel } from '../phases/latency-phase.js';
import type { ThroughputResult } from '../phases/models-phase.js';
import type { TargetCheck } from './bench-result.js';

/**
 * The requests/s entry of an app arm: a process started for the phase (`fresh`, the target's figure,
 * as the hello-world is one) or the one that ran the streaming phases before it (`used`).
 */
export function modelsName(arm: string, process: 'fresh' | 'used' = 'fresh'): string {
  return `${arm} /api/llm/models (${process === 'fresh' ? 'fresh process' : 'after the streaming phases'})`;
}

/** The targets of issues 8 and 5, checked against one run's figures (ratios within that run). */
export function checkTargets(
  latency: LatencyLevel[],
  ladders: LadderResult[],
  throughput: ThroughputResult[],
  appArms: string[],
  postgresArm: string | null,
): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const at = (concurrency: number) => latency.find((level) => level.concurrency === concurrency);
  // `atMost`: the value must not exceed the limit; otherwise it must reach it.
  const check = (
    target: string,
    arm: string,
    value: number | null,
    limit: number | null,
    unit = 'ms',
    atMost = true,
  ) =>
    checks.push({
      target,
      arm,
      value,
      limit,
      unit,
      pass: value === null || limit === null ? null : atMost ? value <= limit : value >= limit,
    });
  const one = at(1);
  const fifty = at(50);
  for (const arm of appArms) {
    const e1 = one?.added.E;
    const b1 = one?.added[arm];
    check(
      'TTFT c=1 added p50 (pairwise) ≤ E + 1.5 ms',
      arm,
      b1?.ttft.pairwiseMedian ?? null,
      plus(e1?.ttft.pairwiseMedian, 1.5),
    );
    check('TTFT c=1 added p99 ≤ E + 4 ms', arm, b1?.ttft.p99 ?? null, plus(e1?.ttft.p99, 4));
    const e50 = fifty?.added.E;
    const b50 = fifty?.added[arm];
    check('TTFT c=50 added p99 ≤ 2 × E added p99', arm, b50?.ttft.p99 ?? null, times(e50?.ttft.p99, 2));
    check('TTFT c=50 added p50 (pairwise) ≤ 2 ms (issue 5)', arm, b50?.ttft.pairwiseMedian ?? null, 2);
    check('TTFT c=50 added p99 ≤ 10 ms (issue 5)', arm, b50?.ttft.p99 ?? null, 10);
    const gapAdded = b1?.gap.pairwiseMedian ?? null;
    check(
      'inter-token gap c=1 added p50 (pairwise) ≤ 50 µs',
      arm,
      gapAdded === null ? null : gapAdded * 1000,
      50,
      'µs',
    );
    const own = one?.arms[arm];
    checks.push({
      target: 'unbuffered at c=1 (every delta in its own read, none missing)',
      arm,
      value: own ? own.coalesced + own.failures : null,
      limit: 0,
      unit: 'coalesced+failed',
      pass: own ? own.coalesced === 0 && own.failures === 0 : null,
    });
    const ladder = ladders.find((entry) => entry.arm === arm);
    const held = ladder ? (ladder.highestHeld ?? 0) : null;
    check('ladder: highest rung held ≥ 2,000 streams', arm, held, 2000, 'streams', false);
    const rung2048 = ladder?.rungs.find((rung) => rung.streams >= 2000 && rung.holds);
    check(
      'RSS per held stream at ≥ 2,000 streams ≤ 64 KiB',
      arm,
      rung2048?.rssPerStreamKiB ?? null,
      64,
      'KiB',
    );
    const models = throughput.find((entry) => entry.name === modelsName(arm));
    const hello = throughput.find((entry) => entry.name === 'fastify hello-world');
    const ratio =
      models && hello && models.non2xx === 0 ? models.requestsPerSecond / hello.requestsPerSecond : null;
    check(
      'GET /api/llm/models req/s ≥ 40% of Fastify hello-world (both fresh processes)',
      arm,
      ratio === null ? null : ratio * 100,
      40,
      '%',
      false,
    );
  }
  if (postgresArm) {
    for (const level of latency) {
      const commit = level.arms[postgresArm]?.commitNet;
      check(
        `last token → row committed p99 ≤ 20 ms, net of the mock's tail (c=${level.concurrency})`,
        postgresArm,
        commit?.p99 ?? null,
        20,
      );
    }
  }
  return checks;
}

function plus(value: number | null | undefined, amount: number): number | null {
  return value === null || value === undefined ? null : value + amount;
}

function times(value: number | null | undefined, factor: number): number | null {
  return value === null || value === undefined ? null : Math.max(0, value) * factor;
}
