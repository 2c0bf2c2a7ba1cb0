import type { LatencyLevel } from '../phases/latency-phase.js';
import type { BenchResult } from './bench-result.js';

/** The committed table (bench/results/latest.md), also printed at the end of a run. */

const ms = (value: number | null | undefined, digits = 2) =>
  value === null || value === undefined ? '–' : value.toFixed(digits);
const signed = (value: number | null | undefined, digits = 2) =>
  value === null || value === undefined ? '–' : `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
const us = (valueMs: number | null | undefined) =>
  valueMs === null || valueMs === undefined ? '–' : `${valueMs >= 0 ? '+' : ''}${Math.round(valueMs * 1000)}`;

function row(cells: (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

function latencyTable(levels: LatencyLevel[]): string[] {
  const lines = [
    row([
      'c',
      'arm',
      'TTFT p50',
      'TTFT p99',
      'added TTFT (pairwise p50)',
      'added TTFT p99',
      'gap p50',
      'gap p99',
      'gap min',
      'added gap (pairwise, µs)',
      'E2E p50',
      'E2E p99',
      'added E2E (pairwise)',
      'streams',
      'failed',
      'coalesced',
      'CPU per stream (ms)',
    ]),
    row(Array(17).fill('---')),
  ];
  for (const level of levels) {
    for (const [arm, figures] of Object.entries(level.arms)) {
      const added = level.added[arm];
      lines.push(
        row([
          level.concurrency,
          arm,
          ms(figures.ttft.p50),
          ms(figures.ttft.p99),
          signed(added?.ttft.pairwiseMedian),
          signed(added?.ttft.p99),
          ms(figures.gap.p50),
          ms(figures.gap.p99),
          ms(figures.gap.min),
          us(added?.gap.pairwiseMedian),
          ms(figures.e2e.p50, 1),
          ms(figures.e2e.p99, 1),
          signed(added?.e2e.pairwiseMedian),
          figures.requests,
          figures.failures,
          figures.coalesced,
          ms(figures.cpuMsPerStream),
        ]),
      );
    }
  }
  return lines;
}

/**
 * Streams one core could relay at the mock's pacing, per arm: a stream's length (A's median at the
 * highest concurrency) over the arm's CPU per stream there. The ladder's ceiling in cores.
 */
function streamsPerCore(levels: LatencyLevel[]): string | null {
  const level = levels.at(-1);
  const lengthMs = level?.arms.A?.e2e.p50;
  if (!level || lengthMs === undefined || lengthMs === null) return null;
  const perArm = Object.entries(level.arms)
    .filter(([, figures]) => figures.cpuMsPerStream !== null && figures.cpuMsPerStream > 0)
    .map(([arm, figures]) => `${arm} ≈ ${Math.round(lengthMs / (figures.cpuMsPerStream as number))}`);
  if (perArm.length === 0) return null;
  return `Streams one core relays at this pacing, from CPU per stream at c=${level.concurrency} (a stream of ${Math.round(lengthMs)} ms ÷ its CPU): ${perArm.join(', ')}. A rung of N streams needs N ÷ that many cores for the arm alone, besides the mock and the load generator.`;
}

export function renderMarkdown(result: BenchResult): string {
  const { machine, settings } = result;
  const lines: string[] = [
    `# Benchmark: ${result.name} (${result.startedAt})`,
    '',
    `Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}, load average at start ${machine.loadAverage.join(' / ')}.`,
    `Mock: TTFT ${settings.mock.ttftMs} ms, ${settings.mock.deltas} deltas × ${settings.mock.pacingMs} ms. Run took ${Math.round(result.durationS)} s${result.quick ? ' (--quick: smoke run, too few samples for p99)' : ''}; seed ${result.seed}.`,
    '',
    'Arms: ' +
      Object.entries(settings.arms)
        .map(([name, what]) => `**${name}** ${what}`)
        .join('; ') +
      '.',
    '',
    '## Latency (ms; "added" = arm − A; pairwise = median over rounds of the per-round difference)',
    '',
    ...latencyTable(result.latency),
    '',
  ];
  const commitRows = result.latency.flatMap((level) =>
    Object.entries(level.arms)
      .filter(([, figures]) => figures.commit !== null)
      .map(([arm, figures]) =>
        row([
          level.concurrency,
          arm,
          ms(figures.commit?.p50),
          ms(figures.commit?.p99),
          ms(level.arms.A?.tail.p50),
          ms(figures.commitNet?.p50),
          ms(figures.commitNet?.p99),
          ms(figures.commitNet?.max),
          figures.commit?.count ?? 0,
          figures.commitMissing,
        ]),
      ),
  );
  if (commitRows.length > 0) {
    lines.push(
      '## Last token → assistant row committed (ms; PostgreSQL NOTIFY, delivered only after commit)',
      '',
      "Net = as seen − the mock's tail (A's median time from last delta to end of stream: one pacing, then usage and [DONE]).",
      '',
    );
    lines.push(
      row([
        'c',
        'arm',
        'seen p50',
        'seen p99',
        "mock's tail p50",
        'net p50',
        'net p99',
        'net max',
        'rows',
        'missing',
      ]),
      row(Array(10).fill('---')),
      ...commitRows,
      '',
    );
  }
  lines.push(
    `## Concurrency ladder (${settings.ladder.arrivalsPerSecond} arrivals/s, all held together ≥ ${settings.ladder.holdMs} ms; holds = every frame, no gap > 10× pacing, TTFT p99 < 250 ms)`,
    '',
    row([
      'arm',
      'highest held',
      'stopped by',
      'RSS idle (MiB)',
      'rungs (streams: TTFT p99 / max gap / RSS per stream)',
    ]),
    row(Array(5).fill('---')),
  );
  for (const ladder of result.ladders) {
    const rungs = ladder.rungs
      .map(
        (rung) =>
          `${rung.streams}${rung.holds ? '✓' : '✗'}: ${ms(rung.ttftP99Ms, 0)} / ${ms(rung.maxGapMs, 0)} ms / ${rung.rssPerStreamKiB === null ? '–' : `${rung.rssPerStreamKiB.toFixed(1)} KiB`}`,
      )
      .join('; ');
    lines.push(
      row([
        ladder.arm,
        ladder.highestHeld ?? 'none',
        ladder.stoppedBy ?? 'all rungs held',
        ms(ladder.rssIdleMiB, 1),
        rungs,
      ]),
    );
  }
  const perCore = streamsPerCore(result.latency);
  if (perCore !== null) lines.push('', perCore);
  lines.push(
    '',
    `## Requests/s (autocannon, ${settings.models.connections} connections, no pipelining; ${settings.models.rounds ?? 1} × ${settings.models.durationS} s per target, the targets taking turns; median window)`,
    '',
  );
  lines.push(
    row(['target', 'req/s', 'windows (req/s)', 'CPU µs/request', 'p50 ms', 'p99 ms', 'non-2xx', 'errors']),
    row(Array(8).fill('---')),
  );
  for (const entry of result.throughput) {
    lines.push(
      row([
        entry.name,
        Math.round(entry.requestsPerSecond),
        entry.roundsPerSecond.map(Math.round).join(', '),
        entry.cpuMicrosPerRequest?.toFixed(1) ?? '–',
        entry.latencyP50Ms,
        entry.latencyP99Ms,
        entry.non2xx,
        entry.errors,
      ]),
    );
  }
  lines.push(
    '',
    '## Targets',
    '',
    row(['target', 'arm', 'value', 'limit', 'result']),
    row(Array(5).fill('---')),
  );
  for (const check of result.targets) {
    const verdict = check.pass === null ? 'NOT MEASURED' : check.pass ? 'PASS' : 'FAIL';
    lines.push(
      row([
        check.target,
        check.arm,
        `${ms(check.value)} ${check.unit}`,
        `${ms(check.limit)} ${check.unit}`,
        verdict,
      ]),
    );
  }
  for (const [arm, profile] of Object.entries(result.profiles ?? {})) {
    lines.push(
      '',
      `## CPU profile of ${arm} (${Math.round(profile.busyMs)} ms busy over ${Math.round(profile.wallMs / 1000)} s, self time)`,
      '',
      row(['package', 'self ms', 'share']),
      row(Array(3).fill('---')),
      ...profile.byPackage.map((entry) =>
        row([entry.name, Math.round(entry.selfMs), `${(entry.share * 100).toFixed(1)}%`]),
      ),
      '',
      row(['function', 'where', 'self ms', 'share']),
      row(Array(4).fill('---')),
      ...profile.topFunctions.map((entry) =>
        row([entry.name, entry.where, Math.round(entry.selfMs), `${(entry.share * 100).toFixed(1)}%`]),
      ),
    );
  }
  if (result.warnings.length > 0)
    lines.push('', '## Warnings', '', ...result.warnings.map((warning) => `- ${warning}`));
  if (result.notes.length > 0) lines.push('', '## Notes', '', ...result.notes.map((note) => `- ${note}`));
  return `${lines.join('\n')}\n`;
}
