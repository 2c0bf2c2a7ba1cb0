import { describe, expect, it } from 'vitest';
import { loadYamlFile, readRepoFile } from './support/repo-files.js';

/**
 * One LiteLLM version for the whole repository: the image in docker-compose.yml. Its reasons are in
 * docs/decisions/0006-litellm-version.md; every other file that names LiteLLM's image or version
 * must agree (issue 19).
 */
const decisionNote = 'docs/decisions/0006-litellm-version.md';

/** The files that may name the running LiteLLM. */
const files = [
  'docker-compose.yml',
  'docker-compose.scale.yml',
  decisionNote,
  'docs/llm.md',
  'docs/deployment.md',
  'README.md',
  'litellm/config.yaml.example',
] as const;

/**
 * Files that describe LiteLLM's history (which release fixed what, what 1.81.13 was recorded
 * doing). Older versions may appear there; nowhere else.
 */
const historyFiles = new Set<string>([decisionNote, 'docs/llm.md']);

/** The backdoored PyPI releases (BerriAI/litellm#24512): only ever named as something to avoid. */
const compromised = ['1.82.7', '1.82.8'];

/** The first release with both disconnect fixes (#30245 in 1.90.0, #31499 in 1.91.0). */
const firstWithDisconnectFixes = '1.91.0';

/** `ghcr.io/berriai/litellm:v1.2.3`, `docker.litellm.ai/berriai/litellm:1.2.3`, `…-database`, with an optional digest. */
const imageReference =
  /\b(ghcr\.io|docker\.litellm\.ai|docker\.io)\/(?:berriai|litellm)\/litellm(?:-database|-non_root)?:([\w.-]+)(@sha256:[\w.…-]+)?/gi;

/** A LiteLLM-shaped version: 1.<minor of two or three digits>.<patch>, optionally `v` and an rc suffix. */
const versionToken = /(?<![\w.])v?(1\.\d{2,3}\.\d+)(?:-?rc\.?\d+)?(?![\w]|\.\d)/g;

/** Words that mark a mention of a compromised release as a warning. */
const warning = /never|compromised|backdoor|malicious|stealer|do not|don't/i;

function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((version) => version.split('.').map(Number));
  for (let index = 0; index < 3; index += 1) {
    const difference = (x?.[index] ?? 0) - (y?.[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

function versionsIn(text: string): string[] {
  return [...text.matchAll(versionToken)].map((match) => match[1] as string);
}

/** Paragraphs, list items and table rows: the unit a warning word must share with a version. */
function blocks(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .flatMap((block) => block.split(/\n(?=\s*(?:[-*] |\||#))/))
    .map((block) => block.trim())
    .filter(Boolean);
}

const compose = loadYamlFile('docker-compose.yml').data as {
  services: Record<string, { image?: string; environment?: Record<string, string> }>;
};
const pinnedImage = compose.services.litellm?.image ?? '';
const pinned = /^ghcr\.io\/berriai\/litellm:v(\d+\.\d+\.\d+)(?:@sha256:[0-9a-f]{64})?$/.exec(
  pinnedImage,
)?.[1];
const texts = Object.fromEntries(files.map((file) => [file, readRepoFile(file)])) as Record<
  (typeof files)[number],
  string
>;

describe('the pinned LiteLLM version', () => {
  it('is an exact ghcr.io tag of a release with both disconnect fixes, never a compromised one', () => {
    expect(pinnedImage, 'docker-compose.yml services.litellm.image').toMatch(
      /^ghcr\.io\/berriai\/litellm:v\d+\.\d+\.\d+/,
    );
    expect(pinned).toBeDefined();
    expect(compromised).not.toContain(pinned);
    expect(compareVersions(pinned as string, firstWithDisconnectFixes)).toBeGreaterThanOrEqual(0);
  });

  it('is named, with its registry and the versions never to use, by the decision note', () => {
    const note = texts[decisionNote];
    expect(note).toMatch(/^# 0006 /);
    expect(note).toMatch(/^Date: 2026-12-03 · Status: accepted/m);
    expect(note).toContain(`ghcr.io/berriai/litellm:v${pinned}`);
    expect(note).toContain(`docker.litellm.ai/berriai/litellm:${pinned}`);
    for (const version of compromised) expect(note).toContain(version);
    for (const subject of [
      'cancel_on_disconnect',
      'DISABLE_AIOHTTP_TRANSPORT',
      'x-litellm-attempted-fallbacks',
    ]) {
      expect(note, subject).toContain(subject);
    }
  });

  it('is linked from docs/llm.md and docs/deployment.md', () => {
    for (const file of ['docs/llm.md', 'docs/deployment.md'] as const) {
      expect(texts[file], file).toMatch(/\]\((?:\.\/)?decisions\/0006-litellm-version\.md(?:#[\w-]+)?\)/);
    }
  });

  it.each(files)('%s names no other LiteLLM image tag', (file) => {
    for (const match of texts[file].matchAll(imageReference)) {
      const [reference, registry, tag] = match as unknown as [string, string, string];
      const expected = registry.toLowerCase() === 'ghcr.io' ? `v${pinned}` : pinned;
      expect(tag, `${file}: ${reference}`).toBe(expected);
    }
  });

  it.each(files)('%s names no other LiteLLM version as the one to run', (file) => {
    const text = texts[file];
    for (const line of text.split('\n')) {
      const versions = versionsIn(line).filter((version) => !compromised.includes(version));
      if (versions.length === 0) continue;
      // A line about the pin (or the image) names the pinned version and no other.
      if (/\bpin(?:s|ned|ning)?\b|image:/i.test(line)) {
        for (const version of versions) expect(version, `${file}: ${line.trim()}`).toBe(pinned);
      }
      for (const version of versions) {
        if (version === pinned) continue;
        // Elsewhere only history may name another version, and history is older than the pin.
        expect(historyFiles.has(file), `${file} names ${version}: ${line.trim()}`).toBe(true);
        expect(compareVersions(version, pinned as string), `${file}: ${line.trim()}`).toBeLessThan(0);
      }
    }
  });

  it.each(files)('%s names 1.82.7 and 1.82.8 only as releases to avoid', (file) => {
    for (const block of blocks(texts[file])) {
      if (!compromised.some((version) => versionsIn(block).includes(version))) continue;
      expect(block, file).toMatch(warning);
      for (const match of block.matchAll(imageReference)) {
        expect(compromised, `${file}: ${match[0]}`).not.toContain(match[2]?.replace(/^v/, ''));
      }
    }
  });
});

describe('the version test itself', () => {
  it('finds versions, image tags and warnings the way the rules above assume', () => {
    expect(versionsIn('LiteLLM 1.81.13, v1.108.21, 1.90.0-rc.1, 1.5 s, 127.0.0.1, 1.109–1.111')).toEqual([
      '1.81.13',
      '1.108.21',
      '1.90.0',
    ]);
    const references = [
      ...'ghcr.io/berriai/litellm:v9.9.9 docker.litellm.ai/berriai/litellm:9.9.9@sha256:ab'.matchAll(
        imageReference,
      ),
    ].map((match) => match[2]);
    expect(references).toEqual(['v9.9.9', '9.9.9']);
    expect(blocks('a\n\n| x 1.82.7 |\n| never |\n- item')).toEqual([
      'a',
      '| x 1.82.7 |',
      '| never |',
      '- item',
    ]);
    expect(compareVersions('1.108.21', '1.91.0')).toBeGreaterThan(0);
  });
});
