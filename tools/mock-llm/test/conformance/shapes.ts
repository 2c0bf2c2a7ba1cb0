import { expect } from 'vitest';
import type { SseEvent } from './recordings.js';

/**
 * Structure without content: every object's keys in order, every array's items, the type of each
 * value, and the values of the keys that are structure (`object`, `model`, `finish_reason`, …).
 */
const literalKeys = new Set([
  'object',
  'model',
  'finish_reason',
  'role',
  'index',
  'type',
  'param',
  'code',
  'system_fingerprint',
  'owned_by',
  'mode',
]);

export function shapeOf(value: unknown, key?: string): unknown {
  if (key !== undefined && literalKeys.has(key) && (value === null || typeof value !== 'object'))
    return { is: value };
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.map((item) => shapeOf(item));
  if (typeof value === 'object')
    return Object.entries(value as Record<string, unknown>).map(([name, item]) => [
      name,
      shapeOf(item, name),
    ]);
  return typeof value;
}

const signature = (event: SseEvent) => (event.done ? '[DONE]' : JSON.stringify(shapeOf(event.data)));

/** The events' shapes with runs of the same shape (one per token) collapsed to one. */
export function eventShapes(events: readonly SseEvent[]): string[] {
  const shapes: string[] = [];
  for (const event of events) {
    const shape = signature(event);
    if (shapes.at(-1) !== shape) shapes.push(shape);
  }
  return shapes;
}

/** How many times the chunk `id` changes, plus one (a mid-stream fallback starts a new id). */
export function idRuns(events: readonly SseEvent[]): number {
  const ids = events
    .map((event) => (event.data as { id?: unknown } | undefined)?.id)
    .filter((id): id is string => typeof id === 'string');
  return ids.filter((id, index) => index === 0 || ids[index - 1] !== id).length;
}

/** An error message with the provider's own words (the stand-in's, the mock's) blanked out. */
export function normaliseMessage(message: string): string {
  return message.replace(
    / - (.*?)(?=No fallback model group found|\nmodel=| LiteLLM Retried| Original exception|$)/gs,
    ' - <provider text>',
  );
}

/** A body's shape, with error messages normalised. */
export function bodyShape(body: unknown): unknown {
  const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
  if (typeof message !== 'string') return shapeOf(body);
  return { shape: shapeOf(body), message: normaliseMessage(message) };
}

/** Set by the HTTP server, not by LiteLLM. */
const transportHeaders = new Set(['date', 'server', 'connection', 'keep-alive']);

const decimal = /^\d+(\.\d+)?$/;
const pythonFloat = /^(\d+\.\d+|\d(\.\d+)?e-\d\d|0)$/;
/** Headers whose values differ per request: their format is checked instead. */
const perRequest: Record<string, RegExp> = {
  'x-litellm-call-id': /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  'x-litellm-response-duration-ms': decimal,
  'x-litellm-overhead-duration-ms': decimal,
  'llm_provider-date': /^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/,
  'llm_provider-content-length': /^\d+$/,
  'content-length': /^\d+$/,
  'x-ratelimit-remaining-requests': /^\d+$/,
  'x-ratelimit-remaining-tokens': /^\d+$/,
};
/** A whole answer's cost depends on its token counts. */
const wholeAnswerCosts = [
  'x-litellm-response-cost',
  'x-litellm-response-cost-original',
  'x-litellm-key-spend',
];

/** Same header names in the same order; same values except per-request ones, whose format must match. */
export function expectSameHeaders(
  recorded: ReadonlyArray<readonly [string, string]>,
  played: ReadonlyArray<readonly [string, string]>,
  { wholeAnswer }: { wholeAnswer: boolean },
): void {
  const keep = (headers: ReadonlyArray<readonly [string, string]>) =>
    headers
      .map(([name, value]) => [name.toLowerCase(), value] as const)
      .filter(([name]) => !transportHeaders.has(name));
  const want = keep(recorded);
  const got = keep(played);
  expect(got.map(([name]) => name)).toEqual(want.map(([name]) => name));
  for (const [index, [name, value]] of want.entries()) {
    const actual = got[index]?.[1];
    const pattern =
      perRequest[name] ?? (wholeAnswer && wholeAnswerCosts.includes(name) ? pythonFloat : undefined);
    if (pattern) {
      expect(value, `recorded ${name}`).toMatch(pattern);
      expect(actual, name).toMatch(pattern);
    } else {
      expect(actual, name).toBe(value);
    }
  }
}
