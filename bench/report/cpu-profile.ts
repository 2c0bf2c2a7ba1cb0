import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Where the app's CPU went, from the `.cpuprofile` that `node --cpu-prof` writes at exit: self time
 * grouped by package (fastify, better-auth, drizzle, pg, openai, pino, …) and the top functions,
 * of the whole profile or of chosen moments only.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  /** µs of the monotonic clock (`process.hrtime`). */
  startTime: number;
  endTime: number;
  samples: number[];
  /** µs between consecutive samples (the first from `startTime`). */
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  /** CPU time sampled (excluding idle), ms. */
  busyMs: number;
  /** Time the event loop sampled as idle, ms. */
  idleMs: number;
  wallMs: number;
  byPackage: { name: string; selfMs: number; share: number }[];
  topFunctions: { name: string; where: string; selfMs: number; share: number }[];
}

function packageOf(url: string): string {
  if (url === '') return '(native / V8)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 14).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:')) return 'node core';
  if (url.includes('/server/dist/')) return 'app (server/dist)';
  return path.basename(url);
}

/** Self time per node, ms: of the whole profile, or of the samples taken when `within(µs)` holds. */
function selfTimes(profile: CpuProfile, within?: (monotonicUs: number) => boolean): Map<number, number> {
  const self = new Map<number, number>();
  if (within === undefined) {
    const intervalMs = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length);
    for (const node of profile.nodes) self.set(node.id, (node.hitCount ?? 0) * intervalMs);
    return self;
  }
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    at += profile.timeDeltas[index] ?? 0;
    // A sample stands for the time until the next one.
    if (within(at)) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index + 1] ?? 0) / 1000);
  });
  return self;
}

/** `within`: only the samples taken at those moments (µs of the monotonic clock), e.g. a burst's arrivals. */
export function summarizeProfile(
  file: string,
  top = 15,
  within?: (monotonicUs: number) => boolean,
): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const self = selfTimes(profile, within);
  const packages = new Map<string, number>();
  const functions = new Map<string, { name: string; where: string; selfMs: number }>();
  let busyMs = 0;
  let idleMs = 0;
  for (const node of profile.nodes) {
    const selfMs = self.get(node.id) ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') idleMs += selfMs;
    if (selfMs === 0 || functionName === '(idle)') continue;
    busyMs += selfMs;
    const name = functionName.startsWith('(') ? functionName : packageOf(url);
    packages.set(name, (packages.get(name) ?? 0) + selfMs);
    const where = url ? `${packageOf(url)}:${path.basename(url)}:${lineNumber + 1}` : '';
    const key = `${functionName}@${where}`;
    const entry = functions.get(key) ?? { name: functionName || '(anonymous)', where, selfMs: 0 };
    entry.selfMs += selfMs;
    functions.set(key, entry);
  }
  const share = (ms: number) => (busyMs > 0 ? ms / busyMs : 0);
  return {
    file,
    busyMs,
    idleMs,
    wallMs: (profile.endTime - profile.startTime) / 1000,
    byPackage: [...packages.entries()]
      .map(([name, selfMs]) => ({ name, selfMs, share: share(selfMs) }))
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top),
    topFunctions: [...functions.values()]
      .map((entry) => ({ ...entry, share: share(entry.selfMs) }))
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top),
  };
}

export function profilesIn(directory: string): string[] {
  try {
    return readdirSync(directory)
      .filter((name) => name.endsWith('.cpuprofile'))
      .map((name) => path.join(directory, name));
  } catch {
    return [];
  }
}
