import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Child processes of the benchmark: start, wait until ready, read their RSS and CPU from /proc, stop. */

export interface Started {
  child: ChildProcess;
  pid: number;
  logPath: string;
}

/** Starts `node [nodeArgs] entry args`, stdout and stderr to `logPath` (never a pipe nobody drains). */
export function startNode(
  entry: string,
  options: {
    args?: string[];
    nodeArgs?: string[];
    env?: Record<string, string>;
    logPath: string;
    cwd?: string;
  },
): Started {
  const log = openSync(options.logPath, 'a');
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), entry, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', log, log],
  });
  if (child.pid === undefined) throw new Error(`could not start ${entry}`);
  return { child, pid: child.pid, logPath: options.logPath };
}

/** Polls the log until a line `READY <json>` appears (our own server scripts print one). */
export async function waitForReadyLine<T>(started: Started, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null)
      throw new Error(`${started.logPath}: exited with ${started.child.exitCode}`);
    const line = readFileSync(started.logPath, 'utf8')
      .split('\n')
      .find((text) => text.startsWith('READY '));
    if (line) return JSON.parse(line.slice(6)) as T;
    await sleep(50);
  }
  throw new Error(`${started.logPath}: not ready within ${timeoutMs} ms`);
}

/** Polls `url` until it answers 200. */
export async function waitForHttp(url: string, started: Started, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null) {
      throw new Error(
        `exited with ${started.child.exitCode}; see ${started.logPath}:\n${tail(started.logPath)}`,
      );
    }
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms; see ${started.logPath}`);
}

export function tail(path: string, lines = 15): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Resident set size in bytes (VmRSS). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

/**
 * CPU time of a process (user + system), in seconds: the time its threads spent on a CPU, in
 * nanoseconds from `/proc/<pid>/task/<tid>/schedstat`, so a few milliseconds of one chat turn are
 * measurable. Falls back to `/proc/<pid>/stat` (100 Hz clock ticks) where schedstat is missing;
 * 0 once the process is gone.
 */
export function cpuSeconds(pid: number): number {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  let nanoseconds = 0;
  let read = 0;
  for (const task of tasks) {
    try {
      nanoseconds += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
      read++;
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return read > 0 ? nanoseconds / 1e9 : cpuTicksSeconds(pid);
}

function cpuTicksSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

export async function stop(started: Started, graceMs = 5_000): Promise<void> {
  const { child } = started;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), sleep(graceMs).then(() => true)]);
  if (timedOut) {
    child.kill('SIGKILL');
    await exited;
  }
}
