import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockLlm, type MockFault, type MockLlm } from '../src/index.js';
import {
  loadRecording,
  readRecordingFile,
  replay,
  sseEvents,
  type Recording,
  type Replayed,
} from './conformance/recordings.js';
import { recordedModels } from './conformance/recorded-models.js';
import { bodyShape, eventShapes, expectSameHeaders, idRuns, normaliseMessage } from './conformance/shapes.js';

/**
 * The `litellm` flavour against LiteLLM 1.81.13's recordings (test/fixtures/litellm-recordings): each
 * recorded request, byte for byte, to a mock configured like the recorded proxy, and the answer's
 * structure compared with the recorded one. Text and token counts may differ; nothing else may.
 */

const ttftMs = 20;
// Two proxies were recorded, one per transport; so are two mocks.
const mocks: Record<'aiohttp' | 'httpx', MockLlm> = {} as Record<'aiohttp' | 'httpx', MockLlm>;

beforeAll(async () => {
  for (const transport of ['aiohttp', 'httpx'] as const) {
    mocks[transport] = await startMockLlm({
      flavor: 'litellm',
      litellm: { transport, noDatabase: true },
      apiKey: 'sk-litellm-local-master',
      models: recordedModels,
      rejectUnknownModels: true,
      answer: 'Hello from the mock upstream. This is',
      ttftMs,
      interTokenMs: 2,
    });
  }
});
afterAll(async () => {
  await Promise.all(Object.values(mocks).map((mock) => mock.close()));
});
beforeEach(() => {
  for (const mock of Object.values(mocks)) mock.reset();
});

function mockFor(recording: Recording & { litellm?: { transport?: string } }): MockLlm {
  return recording.litellm?.transport?.startsWith('httpx') ? mocks.httpx : mocks.aiohttp;
}

async function play(name: string, fault?: MockFault, closeAfterEvents?: number) {
  const recording = loadRecording(name);
  const mock = mockFor(recording);
  if (fault) mock.enqueue(fault);
  const played = await replay(recording, mock.url.replace(/\/v1$/, ''), closeAfterEvents);
  return { recording, played, mock };
}

/** `data: {"error": {"message": …, …}}` with the message taken out: the serialisation around it. */
const withoutMessage = (raw: string) => raw.replace(/"message": "(?:[^"\\]|\\.)*"/, '"message": …');

function expectSameStream(recording: Recording, played: Replayed) {
  const recordedBody = readRecordingFile(`${recording.case}.sse`);
  expect(recordedBody).toBe(recording.response.bodyRaw);
  const want = sseEvents(recordedBody);
  const got = sseEvents(played.body);
  expect(eventShapes(got)).toEqual(eventShapes(want));
  expect(idRuns(got)).toBe(idRuns(want));
  const lastWanted = want.at(-1);
  const lastGot = got.at(-1);
  const error = (lastWanted?.data as { error?: { message: string } } | undefined)?.error;
  if (error) {
    expect(withoutMessage(lastGot?.raw ?? '')).toBe(withoutMessage(lastWanted?.raw ?? ''));
    const message = (lastGot?.data as { error: { message: string } }).error.message;
    expect(normaliseMessage(message)).toBe(normaliseMessage(error.message));
  }
}

describe('litellm flavour vs recorded streams', () => {
  it.each([
    'stream-openai',
    'stream-openai-no-usage',
    'stream-anthropic',
    'fallback-stream',
    'midstream-cut-aiohttp',
    'midstream-cut-httpx',
    'midstream-cut-with-fallback',
    'midstream-cut-with-fallback-aiohttp',
    'reasoning-stream',
  ])('%s', async (name) => {
    const { recording, played } = await play(name);
    expect(played.status).toBe(recording.response.status);
    expectSameHeaders(recording.response.headers, played.headers, { wholeAnswer: false });
    expectSameStream(recording, played);
    // Headers come with the first token, not before it.
    expect(played.headersAtMs).toBeGreaterThanOrEqual(ttftMs - 1);
    expect((played.firstBodyAtMs ?? Infinity) - played.headersAtMs).toBeLessThan(15);
  });
});

describe('litellm flavour vs recorded whole answers', () => {
  it.each<[string, MockFault | undefined]>([
    ['nonstream-openai', undefined],
    ['nonstream-anthropic', undefined],
    ['fallback-nonstream', undefined],
    ['reasoning-nonstream', undefined],
    ['unsupported-param-temperature', undefined],
    ['vision-image-input', undefined],
    // Recorded: mistral-default could not reach its provider and fell back.
    ['mistral-api-base', { fallback: true }],
  ])('%s', async (name, fault) => {
    const { recording, played } = await play(name, fault);
    expect(played.status).toBe(recording.response.status);
    expectSameHeaders(recording.response.headers, played.headers, { wholeAnswer: true });
    expect(bodyShape(JSON.parse(played.body))).toEqual(bodyShape(JSON.parse(recording.response.bodyRaw)));
  });
});

describe('litellm flavour vs recorded errors', () => {
  it.each<[string, MockFault | undefined]>([
    ['error-500', undefined],
    ['error-429', undefined],
    ['error-529-anthropic', undefined],
    ['error-unknown-model', undefined],
    ['error-bad-key', undefined],
    ['error-no-key', undefined],
    ['error-provider-401', undefined],
    ['error-timeout', undefined],
    ['error-context-window', undefined],
    ['error-stream-500', undefined],
    // Recorded: no fallback, no retries (both asked for in the body), Mistral unreachable.
    ['mistral-api-base-no-fallback', { status: 500 }],
  ])('%s', async (name, fault) => {
    const { recording, played } = await play(name, fault);
    expect(played.status).toBe(recording.response.status);
    expectSameHeaders(recording.response.headers, played.headers, { wholeAnswer: false });
    expect(bodyShape(JSON.parse(played.body))).toEqual(bodyShape(JSON.parse(recording.response.bodyRaw)));
  });
});

describe('litellm flavour vs recorded Stop', () => {
  it.each(['stop-client-disconnect', 'stop-client-disconnect-httpx'])(
    '%s: the answer is generated to the end after the client left',
    async (name) => {
      const recording = loadRecording(name);
      const mock = mockFor(recording);
      const gone = mock.waitForClientGone();
      const { played } = await play(name, undefined, 3);
      expectSameHeaders(recording.response.headers, played.headers, { wholeAnswer: false });
      const want = sseEvents(readRecordingFile(`${name}.sse`));
      expect(eventShapes(sseEvents(played.body).slice(0, 3))).toEqual(eventShapes(want));
      const event = await gone;
      expect(event.upstreamContinues).toBe(true);
      expect(mock.generating).toBe(1);
      await expect.poll(() => mock.generating, { timeout: 2000 }).toBe(0);
    },
  );
});

describe('litellm flavour vs recorded model endpoints', () => {
  it('models-v1-models: the same body, byte for byte', async () => {
    const { recording, played } = await play('models-v1-models');
    expect(played.status).toBe(200);
    expectSameHeaders(recording.response.headers, played.headers, { wholeAnswer: false });
    expect(played.body).toBe(recording.response.bodyRaw);
  });

  /** Values the mock models; the rest of the cost map is null in the mock. */
  const groupFields = [
    'model_group',
    'providers',
    'max_input_tokens',
    'max_output_tokens',
    'input_cost_per_token',
    'output_cost_per_token',
    'mode',
    'rpm',
    'supports_reasoning',
    'supports_vision',
    'supports_function_calling',
    'supported_openai_params',
  ];

  it('models-model-group-info: the same keys in order, and the same capabilities', async () => {
    const { recording, played } = await play('models-model-group-info');
    expect(played.status).toBe(200);
    expectSameHeaders(recording.response.headers, played.headers, { wholeAnswer: false });
    const want = JSON.parse(recording.response.bodyRaw).data as Array<Record<string, unknown>>;
    const got = JSON.parse(played.body).data as Array<Record<string, unknown>>;
    expect(got.map((entry) => entry.model_group)).toEqual(want.map((entry) => entry.model_group));
    for (const [index, entry] of want.entries()) {
      expect(Object.keys(got[index] ?? {})).toEqual(Object.keys(entry));
      for (const field of groupFields)
        expect(got[index]?.[field], `${entry.model_group} ${field}`).toEqual(entry[field]);
    }
  });

  const infoFields = [
    'id',
    'db_model',
    'label',
    'provider',
    'hidden',
    'key',
    'max_tokens',
    'max_input_tokens',
    'max_output_tokens',
    'input_cost_per_token',
    'output_cost_per_token',
    'litellm_provider',
    'mode',
    'supports_reasoning',
    'supports_function_calling',
    'supported_openai_params',
  ];

  it('models-model-info (trimmed): the same params, keys in order, ids and capabilities', async () => {
    const recording = loadRecording('models-model-info.trimmed');
    const played = await replay(recording, mocks.aiohttp.url.replace(/\/v1$/, ''));
    expect(played.status).toBe(200);
    const want = JSON.parse(recording.response.bodyRaw).data as Array<
      Record<string, Record<string, unknown>>
    >;
    const got = new Map(
      (JSON.parse(played.body).data as Array<Record<string, Record<string, unknown>>>).map((entry) => [
        entry.model_name as unknown as string,
        entry,
      ]),
    );
    expect(want.length).toBe(8);
    for (const entry of want) {
      const name = entry.model_name as unknown as string;
      const mine = got.get(name);
      expect(Object.keys(mine ?? {})).toEqual(Object.keys(entry));
      expect(mine?.litellm_params).toEqual(entry.litellm_params);
      expect(Object.keys(mine?.model_info ?? {})).toEqual(Object.keys(entry.model_info ?? {}));
      for (const field of infoFields)
        expect(mine?.model_info?.[field], `${name} ${field}`).toEqual(entry.model_info?.[field]);
    }
  });
});
