import type { AutocannonReport } from '../client/load-types.js';
import type { LoadClient } from '../lib/load-client-handle.js';
import { cpuSeconds } from '../lib/processes.js';
import { median } from '../lib/stats.js';

/**
 * Requests/s of `GET /api/llm/models` (authenticated) with autocannon, no pipelining, beside a Fastify
 * hello-world (the target's yardstick) and a raw node:http server (the load generator's ceiling).
 * The targets take turns: `rounds` windows each, in an order rotated every round, and each figure is
 * the median of its windows. Measured one after the other, a target's figure carried whatever the
 * machine did in its window (the previous process's garbage collection, a neighbour on the VM); taking
 * turns spreads that over all targets, as the latency phases do with their arms.
 */

export interface ThroughputTarget {
  name: string;
  url: string;
  headers: Record<string, string>;
  /** The serving process, for its CPU per request. */
  pid: number | null;
}

/**
 * `probeStatus`: the status of one plain request before the run (a 404 or 401 makes the figure void).
 * `roundsPerSecond`: each window's req/s, in the order measured. `cpuMicrosPerRequest`: the serving
 * process's CPU (user + system, so the kernel's share of each write too) per request, median window:
 * steadier than req/s, which also depends on what else ran on the machine.
 */
export type ThroughputResult = AutocannonReport & {
  name: string;
  probeStatus: number;
  roundsPerSecond: number[];
  cpuMicrosPerRequest: number | null;
};

type Window = AutocannonReport & { cpuMicrosPerRequest: number | null };

export interface ThroughputOptions {
  connections: number;
  /** Length of one window. */
  durationS: number;
  warmupS: number;
  rounds: number;
}

export async function runThroughput(
  client: LoadClient,
  targets: ThroughputTarget[],
  options: ThroughputOptions,
  log: (line: string) => void,
): Promise<ThroughputResult[]> {
  const windows = new Map<ThroughputTarget, Window[]>(targets.map((target) => [target, []]));
  const probes = new Map<ThroughputTarget, number>();
  for (const target of targets) {
    const probe = await fetch(target.url, { headers: target.headers });
    await probe.arrayBuffer();
    probes.set(target, probe.status);
  }
  for (let round = 0; round < options.rounds; round++) {
    for (let index = 0; index < targets.length; index++) {
      const target = targets[(index + round) % targets.length] as ThroughputTarget;
      const base = { url: target.url, headers: target.headers, connections: options.connections };
      await client.autocannon({ ...base, durationS: options.warmupS });
      const cpuBefore = target.pid === null ? 0 : cpuSeconds(target.pid);
      const report = await client.autocannon({ ...base, durationS: options.durationS });
      const requests = report.requestsPerSecond * options.durationS;
      const cpuMicrosPerRequest =
        target.pid === null || requests === 0
          ? null
          : ((cpuSeconds(target.pid) - cpuBefore) / requests) * 1e6;
      windows.get(target)?.push({ ...report, cpuMicrosPerRequest });
    }
  }
  return targets.map((target) => {
    const result = combine(target, windows.get(target) ?? [], probes.get(target) ?? 0);
    log(
      `  ${target.name}: ${Math.round(result.requestsPerSecond)} req/s (windows ${result.roundsPerSecond.map(Math.round).join(', ')}), p99 ${result.latencyP99Ms} ms, ${result.cpuMicrosPerRequest?.toFixed(1) ?? '–'} µs CPU per request`,
    );
    return result;
  });
}

function combine(target: ThroughputTarget, reports: Window[], probeStatus: number): ThroughputResult {
  const middle = (pick: (report: Window) => number) => median(reports.map(pick)) ?? 0;
  const sum = (pick: (report: Window) => number) =>
    reports.reduce((total, report) => total + pick(report), 0);
  return {
    name: target.name,
    probeStatus,
    requestsPerSecond: middle((report) => report.requestsPerSecond),
    roundsPerSecond: reports.map((report) => report.requestsPerSecond),
    latencyP50Ms: middle((report) => report.latencyP50Ms),
    latencyP99Ms: Math.max(0, ...reports.map((report) => report.latencyP99Ms)),
    non2xx: sum((report) => report.non2xx),
    errors: sum((report) => report.errors),
    clientCores: Math.max(0, ...reports.map((report) => report.clientCores)),
    cpuMicrosPerRequest: target.pid === null ? null : middle((report) => report.cpuMicrosPerRequest ?? 0),
  };
}
