// Loaded into the app's process with `--expose-gc --import` by bench/probe-runs.ts (no change to the
// server's code): on SIGUSR2 it collects garbage twice and writes process.memoryUsage() to
// HEAP_PROBE_FILE, so the probe reads the heap that live objects really hold.
import { writeFileSync } from 'node:fs';

const file = process.env.HEAP_PROBE_FILE;
if (file && typeof globalThis.gc === 'function') {
  process.on('SIGUSR2', () => {
    globalThis.gc();
    globalThis.gc();
    writeFileSync(file, JSON.stringify({ at: Date.now(), ...process.memoryUsage() }));
  });
}
