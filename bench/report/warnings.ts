import type { LadderResult } from '../phases/ladder-phase.js';
import type { LatencyLevel } from '../phases/latency-phase.js';
import type { ThroughputResult } from '../phases/models-phase.js';
import { modelsName } from './targets.js';

/** A figure within 10% of what the harness itself can do says more about the harness than the app. */
const nearCeiling = 0.9;

export function harnessWarnings(
  latency: LatencyLevel[],
  ladders: LadderResult[],
  throughput: ThroughputResult[],
  loadAverageAtStart: number,
  cores: number,
): string[] {
  const warnings: string[] = [];
  if (loadAverageAtStart > cores * 0.5) {
    warnings.push(
      `load average was ${loadAverageAtStart} at start on ${cores} cores: other work shared the machine; ratios within the run still hold, absolute figures are pessimistic`,
    );
  }
  const busy = (where: string, cores: { mock: number; client: number }) => {
    if (cores.client >= nearCeiling)
      warnings.push(
        `${where}: the load generator used ${cores.client.toFixed(2)} cores (near its one-core ceiling)`,
      );
    if (cores.mock >= nearCeiling)
      warnings.push(`${where}: the mock used ${cores.mock.toFixed(2)} cores (near its one-core ceiling)`);
  };
  for (const level of latency) {
    for (const [arm, figures] of Object.entries(level.arms))
      busy(`c=${level.concurrency} arm ${arm}`, figures.cores);
  }
  const baseline = ladders.find((ladder) => ladder.arm === 'A');
  for (const ladder of ladders) {
    for (const rung of ladder.rungs) busy(`ladder ${ladder.arm} ${rung.streams}`, rung.cores);
    if (ladder.arm === 'A' && ladder.highestHeld === null) {
      warnings.push(
        "ladder A: the mock direct failed the first rung, so this machine could not drive the ladder during the run; no arm's ladder figure means anything",
      );
    } else if (
      ladder.arm !== 'A' &&
      baseline?.stoppedBy?.startsWith('failed') &&
      ladder.highestHeld !== null &&
      ladder.highestHeld >= (baseline.highestHeld ?? 0)
    ) {
      warnings.push(
        `ladder ${ladder.arm}: held ${ladder.highestHeld}, as high as the mock direct (A: ${baseline.highestHeld}); the harness, not the arm, set this limit`,
      );
    }
  }
  const raw = throughput.find((entry) => entry.name === 'node:http (load-generator ceiling)');
  if (raw) {
    // The fastest reference server measured is the best estimate of what autocannon can drive here.
    const hello = throughput.find((entry) => entry.name === 'fastify hello-world');
    for (const entry of throughput) {
      const references = entry === hello ? [raw] : [raw, hello];
      const ceiling = Math.max(...references.map((reference) => reference?.requestsPerSecond ?? 0));
      if (entry !== raw && entry.requestsPerSecond >= nearCeiling * ceiling) {
        warnings.push(
          `${entry.name}: ${Math.round(entry.requestsPerSecond)} req/s is within 10% of the load generator's ceiling here (${Math.round(ceiling)} req/s, the fastest server measured): ratios against it are overstated (the server itself could go faster)`,
        );
      }
      if (entry.clientCores >= nearCeiling)
        warnings.push(`${entry.name}: autocannon used ${entry.clientCores.toFixed(2)} cores`);
    }
  }
  for (const entry of throughput) {
    if (entry.non2xx > 0 || entry.errors > 0) {
      warnings.push(
        `${entry.name}: ${entry.non2xx} non-2xx answers (a probe got HTTP ${entry.probeStatus}) and ${entry.errors} errors: its figure is not valid`,
      );
    }
  }
  return warnings;
}

/**
 * An app arm whose process, after the streaming phases, serves the requests/s endpoint clearly slower
 * than a fresh one: worth reading beside the target's figure (which compares fresh processes).
 */
export function usedProcessWarnings(throughput: ThroughputResult[], appArms: string[]): string[] {
  const warnings: string[] = [];
  const hello = throughput.find((entry) => entry.name === 'fastify hello-world');
  for (const arm of appArms) {
    const fresh = throughput.find((entry) => entry.name === modelsName(arm));
    const used = throughput.find((entry) => entry.name === modelsName(arm, 'used'));
    if (!fresh || !used || !hello || used.requestsPerSecond >= nearCeiling * fresh.requestsPerSecond)
      continue;
    const share = (entry: ThroughputResult) =>
      `${Math.round((entry.requestsPerSecond / hello.requestsPerSecond) * 100)}%`;
    warnings.push(
      `${arm} /api/llm/models: the process that ran the streaming phases served ${share(used)} of the hello-world's req/s, a fresh one ${share(fresh)} (${used.cpuMicrosPerRequest?.toFixed(0) ?? '–'} vs ${fresh.cpuMicrosPerRequest?.toFixed(0) ?? '–'} µs CPU per request): see docs/performance.md, "An overload leaves the process slower"`,
    );
  }
  return warnings;
}
