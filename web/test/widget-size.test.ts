// @vitest-environment node
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { build } from 'vite';

/**
 * The launcher is loaded by every page of the owners' websites: it must stay small (issue 22:
 * ≤ 15 KB gzip) and be one classic script. Built here with the production config into a temp dir.
 */
const config = fileURLToPath(new URL('../vite.widget.config.ts', import.meta.url));
const outDir = mkdtempSync(path.join(tmpdir(), 'widget-build-'));
let code = '';

beforeAll(async () => {
  await build({ configFile: config, logLevel: 'silent', build: { outDir, emptyOutDir: true } });
  code = readFileSync(path.join(outDir, 'widget.js'), 'utf8');
}, 60_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

it('widget.js is at most 15 KB gzip', () => {
  const gzipBytes = gzipSync(code, { level: 9 }).length;
  expect(gzipBytes).toBeGreaterThan(500);
  expect(gzipBytes).toBeLessThanOrEqual(15 * 1024);
});

it('is a classic script: no import or export, no Vue, only its own shadow-root styles', () => {
  expect(code).not.toMatch(/^\s*(import|export)\s/m);
  expect(code).not.toContain('createApp');
  expect(code).toContain('attachShadow');
  expect(code).toContain(':host { all: initial;');
});
