import type { ProfileSummary } from './cpu-profile.js';
import type { MachineInfo } from '../lib/machine-info.js';
import type { LadderResult } from '../phases/ladder-phase.js';
import type { LatencyLevel } from '../phases/latency-phase.js';
import type { ThroughputResult } from '../phases/models-phase.js';

/** What one run writes to bench/results/<date>-<name>.json. */
export interface BenchResult {
  name: string;
  startedAt: string;
  durationS: number;
  quick: boolean;
  seed: number;
  machine: MachineInfo;
  settings: {
    mock: { ttftMs: number; pacingMs: number; deltas: number };
    arms: Record<string, string>;
    ladder: { rungs: number[]; arrivalsPerSecond: number; holdMs: number; budgetMs: number };
    /** `rounds`: windows per target, taken in turns (results before session 4 had one). */
    models: { connections: number; durationS: number; rounds?: number };
  };
  latency: LatencyLevel[];
  ladders: LadderResult[];
  throughput: ThroughputResult[];
  /** `--profile` runs: where each app arm's CPU went. */
  profiles: Record<string, ProfileSummary>;
  targets: TargetCheck[];
  warnings: string[];
  notes: string[];
}

export interface TargetCheck {
  target: string;
  arm: string;
  value: number | null;
  limit: number | null;
  unit: string;
  /** null: not measured in this run. */
  pass: boolean | null;
}
