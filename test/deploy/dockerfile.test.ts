import { describe, expect, it } from 'vitest';
import { parseDockerfile, valuesOf, type Stage } from './support/dockerfile-parser.js';
import { readRepoFile } from './support/repo-files.js';

const stages = parseDockerfile(readRepoFile('Dockerfile'));
const runtime = stages.at(-1) as Stage;
const stageNames = new Set(stages.map((stage) => stage.name).filter(Boolean));

describe('Dockerfile', () => {
  it('is multi-stage and builds every image from a pinned base, never latest', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    for (const stage of stages) {
      if (stageNames.has(stage.image)) continue;
      expect(stage.image, `FROM ${stage.image}`).toMatch(/^[\w./-]+:[\w.-]+$/);
      expect(stage.image).not.toMatch(/:latest$/);
    }
    expect(runtime.image).toMatch(/^node:26[\w.-]*-slim$/);
  });

  it('installs only production dependencies into the runtime stage', () => {
    const prodInstall = stages.find((stage) =>
      valuesOf(stage, 'RUN').some((run) => /npm ci\b.*--omit=dev/.test(run)),
    );
    expect(prodInstall, 'a stage running `npm ci --omit=dev`').toBeDefined();
    const nodeModulesCopy = valuesOf(runtime, 'COPY').find((copy) => /node_modules/.test(copy));
    expect(nodeModulesCopy).toContain(`--from=${prodInstall?.name}`);
    expect(valuesOf(runtime, 'RUN').join('\n')).not.toMatch(/npm (ci|install)/);
  });

  it('ships the bundles, the SPA and the migrations, and starts the server directly', () => {
    const copies = valuesOf(runtime, 'COPY').join('\n');
    for (const built of ['server/dist', 'server/drizzle', 'web/dist', 'server/package.json']) {
      expect(copies).toContain(built);
    }
    expect(valuesOf(runtime, 'CMD')).toEqual(['["node", "server/dist/main.js"]']);
    expect(valuesOf(runtime, 'WORKDIR')).toEqual(['/app']);
  });

  it('runs as an unprivileged user with NODE_ENV=production on one port', () => {
    const users = valuesOf(runtime, 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    expect(valuesOf(runtime, 'ENV').join(' ')).toMatch(/\bNODE_ENV=production\b/);
    expect(valuesOf(runtime, 'EXPOSE')).toEqual(['3000']);
  });

  it('checks /healthz with node, since the slim image has no curl', () => {
    const [healthcheck] = valuesOf(runtime, 'HEALTHCHECK');
    expect(healthcheck).toMatch(/CMD \["node", "-e",/);
    expect(healthcheck).toContain('/healthz');
    expect(healthcheck).not.toMatch(/curl|wget/);
  });

  it('bakes no secret or local state into the image', () => {
    const copies = stages.flatMap((stage) => valuesOf(stage, 'COPY')).join('\n');
    expect(copies).not.toMatch(/\.env\b(?!\.example)|litellm\/config\.yaml(?!\.example)/);
    const ignored = readRepoFile('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const entry of ['**/node_modules', 'data', '.env', 'litellm/config.yaml', 'config/plans.yaml']) {
      expect(ignored).toContain(entry);
    }
  });
});
