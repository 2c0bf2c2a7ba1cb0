import { performance } from 'node:perf_hooks';
import type { StreamResult } from '../client/load-types.js';
import { specFor, type Arm } from '../lib/arms.js';
import type { LoadClient } from '../lib/load-client-handle.js';
import { cpuSeconds } from '../lib/processes.js';
import { median, minus, percentile, shuffled, summarize, type Summary } from '../lib/stats.js';

/**
 * TTFT, inter-token gap and end-to-end latency per arm at one concurrency. Each round runs every arm
 * once (a batch of `concurrency` simultaneous streams), in a fresh random order, so drift of the
 * machine (other processes, thermal, GC) lands on all arms alike; differences are taken per round.
 */

export interface ArmLatency {
  requests: number;
  failures: number;
  firstFailure: string | null;
  ttft: Summary;
  gap: Summary;
  e2e: Summary;
  /** Deltas that shared a socket read with the previous delta (0 when nothing buffers). */
  coalesced: number;
  /** Per-round medians, index = round (null when the round had no successful stream). */
  roundMedians: { ttft: (number | null)[]; gap: (number | null)[]; e2e: (number | null)[] };
  /** Last content delta → end of the body. For A this is the mock's own tail (one pacing, then usage + [DONE]). */
  tail: Summary;
  /** Last token → assistant row committed (PostgreSQL arm only), as the client saw it. */
  commit: Summary | null;
  /**
   * The same minus the mock's tail (A's median tail in this level): the app cannot finish the row
   * before the upstream's usage chunk arrives, which the mock sends one pacing after the last delta.
   */
  commitNet: Summary | null;
  commitMissing: number;
  /**
   * The commit times as seen (ms, per round, one per stream of the batch): one stalled group
   * commit and a general shift give the same p99, but not the same samples.
   */
  commitRounds: number[][] | null;
  /** Highest CPU use seen in one batch, in cores: the arm's own process, the mock, the load generator. */
  cores: { arm: number | null; mock: number; client: number };
  /**
   * The arm's process CPU (ms) over the measured batches, per stream: what one turn costs the app,
   * start to end, against what relaying one stream costs the bare proxy (null for the mock).
   */
  cpuMsPerStream: number | null;
}

export interface AddedFigure {
  p50: number | null;
  p99: number | null;
  /** Median over rounds of (this arm's round median − A's round median). */
  pairwiseMedian: number | null;
}

export interface LatencyLevel {
  concurrency: number;
  rounds: number;
  wallMs: number;
  arms: Record<string, ArmLatency>;
  /** Per non-baseline arm: the amount added over arm A. */
  added: Record<string, { ttft: AddedFigure; gap: AddedFigure; e2e: AddedFigure }>;
}

export interface LatencyPhaseOptions {
  concurrency: number;
  rounds: number;
  warmupRounds: number;
  expectedDeltas: number;
  streamTimeoutMs: number;
  mockPid: number;
  random: () => number;
}

export const latencyMessage = 'Please answer the benchmark question.';

interface Collected {
  results: StreamResult[];
  rounds: StreamResult[][];
  cores: ArmLatency['cores'];
  cpuSeconds: number;
}

export async function runLatencyLevel(
  client: LoadClient,
  arms: Arm[],
  options: LatencyPhaseOptions,
  log: (line: string) => void,
): Promise<LatencyLevel> {
  const collected = new Map<string, Collected>(
    arms.map((arm) => [
      arm.name,
      { results: [], rounds: [], cores: { arm: arm.pid ? 0 : null, mock: 0, client: 0 }, cpuSeconds: 0 },
    ]),
  );
  const startedAt = performance.now();
  for (let round = -options.warmupRounds; round < options.rounds; round++) {
    for (const arm of shuffled(arms, options.random)) {
      const mockBefore = cpuSeconds(options.mockPid);
      const armBefore = arm.pid ? cpuSeconds(arm.pid) : 0;
      const report = await client.batch({
        spec: specFor(arm, latencyMessage, options.expectedDeltas, options.streamTimeoutMs),
        count: options.concurrency,
        rampMs: 0,
        detail: true,
        commitWaitMs: arm.commitProbe ? 2_000 : 0,
        freshConnections: false,
      });
      if (round < 0) continue; // warm-up: JIT, connection pools, caches
      const seconds = report.wallMs / 1000;
      const entry = collected.get(arm.name) as Collected;
      entry.results.push(...report.results);
      entry.rounds.push(report.results);
      entry.cores.client = Math.max(entry.cores.client, report.clientCores);
      entry.cores.mock = Math.max(entry.cores.mock, (cpuSeconds(options.mockPid) - mockBefore) / seconds);
      if (arm.pid) {
        const used = cpuSeconds(arm.pid) - armBefore;
        entry.cpuSeconds += used;
        entry.cores.arm = Math.max(entry.cores.arm ?? 0, used / seconds);
      }
    }
    if (round >= 0 && (round + 1) % Math.max(1, Math.floor(options.rounds / 4)) === 0) {
      log(`  c=${options.concurrency}: round ${round + 1}/${options.rounds}`);
    }
  }
  const baselineResults = collected.get(arms[0]?.name ?? 'A')?.results ?? [];
  const upstreamTailMs =
    median(
      baselineResults
        .filter((result) => result.ok && result.tailMs !== null)
        .map((result) => result.tailMs as number),
    ) ?? 0;
  const armResults: Record<string, ArmLatency> = {};
  for (const arm of arms) {
    armResults[arm.name] = summarizeArm(
      collected.get(arm.name) as Collected,
      arm.commitProbe,
      upstreamTailMs,
    );
  }
  const baseline = armResults[arms[0]?.name ?? 'A'];
  const added: LatencyLevel['added'] = {};
  if (baseline) {
    for (const arm of arms.slice(1)) {
      const own = armResults[arm.name] as ArmLatency;
      added[arm.name] = {
        ttft: addedFigure(own, baseline, 'ttft'),
        gap: addedFigure(own, baseline, 'gap'),
        e2e: addedFigure(own, baseline, 'e2e'),
      };
    }
  }
  return {
    concurrency: options.concurrency,
    rounds: options.rounds,
    wallMs: performance.now() - startedAt,
    arms: armResults,
    added,
  };
}

function summarizeArm(entry: Collected, commitProbe: boolean, upstreamTailMs: number): ArmLatency {
  const good = (results: StreamResult[]) => results.filter((result) => result.ok);
  const ttfts = (results: StreamResult[]) => good(results).map((result) => result.ttftMs as number);
  const gaps = (results: StreamResult[]) => good(results).flatMap((result) => result.gaps ?? []);
  const e2es = (results: StreamResult[]) => good(results).map((result) => result.e2eMs as number);
  const failures = entry.results.filter((result) => !result.ok);
  const commitsOf = (results: StreamResult[]) =>
    good(results)
      .map((result) => result.commitAfterLastTokenMs)
      .filter((value): value is number => value !== null);
  const commits = commitsOf(entry.results);
  return {
    requests: entry.results.length,
    failures: failures.length,
    firstFailure: failures[0]?.error ?? null,
    ttft: summarize(ttfts(entry.results)),
    gap: summarize(gaps(entry.results)),
    e2e: summarize(e2es(entry.results)),
    coalesced: entry.results.reduce((total, result) => total + result.coalesced, 0),
    roundMedians: {
      ttft: entry.rounds.map((results) => median(ttfts(results))),
      gap: entry.rounds.map((results) => median(gaps(results))),
      e2e: entry.rounds.map((results) => median(e2es(results))),
    },
    tail: summarize(good(entry.results).map((result) => result.tailMs as number)),
    commit: commitProbe ? summarize(commits) : null,
    commitNet: commitProbe ? summarize(commits.map((value) => value - upstreamTailMs)) : null,
    commitMissing: commitProbe ? good(entry.results).length - commits.length : 0,
    commitRounds: commitProbe
      ? entry.rounds.map((results) => commitsOf(results).map((value) => Math.round(value * 100) / 100))
      : null,
    cores: entry.cores,
    cpuMsPerStream:
      entry.cores.arm === null || entry.results.length === 0
        ? null
        : (entry.cpuSeconds * 1000) / entry.results.length,
  };
}

function addedFigure(own: ArmLatency, baseline: ArmLatency, metric: 'ttft' | 'gap' | 'e2e'): AddedFigure {
  const differences: number[] = [];
  own.roundMedians[metric].forEach((value, round) => {
    const base = baseline.roundMedians[metric][round];
    if (value !== null && value !== undefined && base !== null && base !== undefined)
      differences.push(value - base);
  });
  return {
    p50: minus(own[metric].p50, baseline[metric].p50),
    p99: minus(own[metric].p99, baseline[metric].p99),
    pairwiseMedian: percentile(differences, 50),
  };
}
