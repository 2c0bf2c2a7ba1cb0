import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { envSchema, envVarNames } from '../server/src/config/env.js';
import { loadConfig } from '../server/src/config/load-config.js';

/**
 * The README is the first thing a newcomer trusts: its quick start, its configuration table and the
 * paths it names must be what the code does (issue 25). Each check reads the README itself.
 */

const root = path.resolve(import.meta.dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const rootPackage = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start === -1) throw new Error(`README has no "## ${title}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

/** The commands of every ```sh block in `text`, without comments. */
function shellCommands(text: string): string[] {
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
  return blocks.flatMap((block) =>
    block
      .split('\n')
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter(Boolean),
  );
}

interface ConfigRow {
  name: string;
  defaultText: string;
}

function configurationRows(): ConfigRow[] {
  return section('Configuration')
    .split('\n')
    .map((line) => /^\| `([A-Z0-9_]+)` \| ([^|]*) \|/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ name: match[1]!, defaultText: match[2]!.trim() }));
}

describe('README truth', () => {
  it('sets up with exactly the two commands `npm ci` and `npm start`, and the root has a start script', () => {
    expect(shellCommands(section('Quick start')).slice(0, 2)).toEqual(['npm ci', 'npm start']);
    expect(rootPackage.scripts.start).toBeDefined();
    // The server is started through npm, so it resolves paths from where `npm start` was typed (INIT_CWD).
    expect(rootPackage.scripts.start).toMatch(/npm run serve -w server/);
  });

  it('names only npm scripts that exist', () => {
    const commands = shellCommands(readme).filter((command) => command.startsWith('npm '));
    expect(commands.length).toBeGreaterThan(5);
    for (const command of commands) {
      const [, verb, script] = /^npm (run )?([\w:-]+)/.exec(command)!;
      if (!verb && ['ci', 'install'].includes(script!)) continue;
      expect(rootPackage.scripts, `README runs "${command}"`).toHaveProperty(script!);
    }
  });

  it('lists only variables the config schema knows, each with the default the schema has', () => {
    const rows = configurationRows();
    expect(rows.length).toBeGreaterThan(8);
    const defaults = envSchema.parse({}) as Record<string, unknown>;
    for (const { name, defaultText } of rows) {
      expect(envVarNames, `README's configuration table names ${name}`).toContain(name);
      const literal = /^`([^`]*)`$/.exec(defaultText)?.[1];
      if (literal !== undefined) expect(String(defaults[name]), `default of ${name}`).toBe(literal);
      else if (defaultText === '—') expect(defaults[name] ?? null, `${name} has no default`).toBeNull();
    }
  });

  it('keeps the data where it says: ./data of the folder `npm start` ran in, and serves on localhost:3000', () => {
    expect(section('Quick start')).toContain('`./data`');
    const config = loadConfig({ INIT_CWD: root });
    expect(config.dataDir).toBe(path.join(root, 'data'));
    expect(config.server.host).toBe('127.0.0.1');
    expect(config.server.appUrl).toBe('http://localhost:3000');
    expect(section('Quick start')).toContain('http://localhost:3000');
    expect(config.models.litellmConfigPath).toBe(path.join(root, 'litellm', 'config.yaml'));
    expect(fs.existsSync(path.join(root, 'litellm', 'config.yaml.example'))).toBe(true);
  });

  it('links and names only files that exist in the repo', () => {
    const linked = [...readme.matchAll(/\]\(((?!https?:|#)[^)\s]+)\)/g)].map((match) => match[1]!);
    const named = [...readme.matchAll(/`((?:docs|config|litellm|server|web|tools|bench)\/[\w./-]+)`/g)]
      .map((match) => match[1]!)
      // git-ignored files the README names as what you create (from their `.example`).
      .filter((file) => !['litellm/config.yaml', 'config/plans.yaml'].includes(file));
    expect(linked.length).toBeGreaterThan(5);
    for (const file of [...linked, ...named]) {
      expect(fs.existsSync(path.join(root, file.split('#')[0]!)), `README names ${file}`).toBe(true);
    }
  });
});
