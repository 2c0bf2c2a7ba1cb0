import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';

/** Every knob of a run. `--quick` is a smoke run (< 1 min); the default is the measured run (< 15 min). */
export interface BenchOptions {
  quick: boolean;
  name: string;
  seed: number;
  build: boolean;
  strict: boolean;
  /** Profile the app (PostgreSQL arm) with --cpu-prof during the latency phases. */
  profile: boolean;
  postgresAdminUrl: string | null;
  mock: { ttftMs: number; pacingMs: number; deltas: number };
  latency: { concurrency: number[]; rounds: Record<number, number>; warmupRounds: number };
  ladder: { rungs: number[]; arrivalsPerSecond: number; holdMs: number; budgetMs: number };
  models: { connections: number; durationS: number; warmupS: number; rounds: number };
}

const fullRungs = [32, 64, 128, 256, 512, 1024, 2048, 4096];

export function readOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      name: { type: 'string' },
      seed: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      build: { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      'no-postgres': { type: 'boolean', default: false },
      postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
      ttft: { type: 'string' },
      pacing: { type: 'string' },
      deltas: { type: 'string' },
      rounds: { type: 'string' },
      rungs: { type: 'string' },
    },
  });
  const quick = values.quick === true;
  const number = (value: string | undefined, fallback: number) => {
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`bench: expected a number, got "${value}"`);
    return parsed;
  };
  const roundsOverride = values.rounds === undefined ? null : number(values.rounds, 1);
  const rounds = quick ? { 1: 3, 10: 1, 50: 1 } : { 1: 40, 10: 12, 50: 6 };
  if (roundsOverride !== null) for (const key of [1, 10, 50] as const) rounds[key] = roundsOverride;
  return {
    quick,
    name: values.name ?? (quick ? 'quick' : 'full'),
    seed: number(values.seed, Math.floor(Math.random() * 2 ** 31)),
    // --quick reuses an existing server/dist (so the smoke run stays under a minute); full runs rebuild.
    build:
      values.build === true ||
      (!values['no-build'] && (!quick || !existsSync(new URL('../../server/dist/main.js', import.meta.url)))),
    strict: values.strict === true,
    profile: values.profile === true,
    postgresAdminUrl: values['no-postgres'] ? null : (values.postgres ?? null),
    mock: {
      ttftMs: number(values.ttft, 50),
      pacingMs: number(values.pacing, 20),
      deltas: number(values.deltas, quick ? 16 : 64),
    },
    latency: { concurrency: [1, 10, 50], rounds, warmupRounds: quick ? 1 : 3 },
    ladder: {
      rungs: values.rungs
        ? values.rungs.split(',').map((rung) => number(rung, 32))
        : quick
          ? [32]
          : fullRungs,
      arrivalsPerSecond: 512,
      holdMs: quick ? 300 : 2_000,
      budgetMs: quick ? 5_000 : 75_000,
    },
    models: { connections: 32, durationS: quick ? 1 : 4, warmupS: quick ? 0.5 : 1.5, rounds: quick ? 1 : 3 },
  };
}
