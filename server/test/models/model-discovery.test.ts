import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultDeploymentId, startMockLlm, type MockLlm } from '@app/mock-llm';
import { ModelCatalog, type ModelCatalogOptions } from '../../src/models/model-catalog.js';
import { recordingLogger } from './test-logger.js';

const API_KEY = 'sk-discovery-sentinel-key';
const liteLlmYaml = `model_list:
  - model_name: chat-default
    litellm_params: { model: openai/gpt-4o-mini, api_key: os.environ/OPENAI_API_KEY }
    model_info: { label: GPT-4o mini, max_output_tokens: 8000 }
  - model_name: claude-default
    litellm_params: { model: anthropic/claude-sonnet-4-5, api_key: os.environ/ANTHROPIC_API_KEY }
  - model_name: gemini-default
    litellm_params: { model: gemini/gemini-2.5-flash, api_key: os.environ/GEMINI_API_KEY }
  - model_name: prompt-helper
    litellm_params: { model: openai/gpt-4o-mini }
    model_info: { hidden: true }
`;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function configFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'discovery-')), 'config.yaml');
  writeFileSync(path, liteLlmYaml);
  return path;
}

async function startCatalog(baseUrl: string, apiKey = API_KEY, extra: Partial<ModelCatalogOptions> = {}) {
  const logger = recordingLogger();
  const catalog = new ModelCatalog({
    mode: 'proxy',
    chatModel: 'chat-default',
    promptModel: 'prompt-helper',
    liteLlmConfigPath: configFile(),
    watch: false,
    discovery: { baseUrl, apiKey, ttlMs: 60_000, timeoutMs: 2000 },
    logger,
    ...extra,
  });
  cleanups.push(() => catalog.close());
  await catalog.start();
  return { catalog, logger };
}

async function startMock(): Promise<MockLlm> {
  const mock = await startMockLlm({
    apiKey: API_KEY,
    models: [
      {
        id: 'chat-default',
        provider: 'openai',
        maxInputTokens: 128000,
        maxOutputTokens: 16384,
        inputCostPerToken: 1.5e-7,
        outputCostPerToken: 6e-7,
      },
      { id: 'gemini-default', provider: 'gemini', maxOutputTokens: 65536 },
    ],
  });
  cleanups.push(() => mock.close());
  return mock;
}

/** A tiny proxy whose answers the test controls. */
async function startStubProxy(handler: (path: string) => { status: number; body?: unknown }) {
  const server: Server = createServer((request, response) => {
    const { status, body } = handler(request.url ?? '/');
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(body === undefined ? '' : JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

describe('model discovery against the mock upstream', () => {
  it('proxy up: offers only what the proxy serves, enriched with its limits and prices', async () => {
    const mock = await startMock();
    const { catalog, logger } = await startCatalog(mock.url);

    expect(catalog.list().map((model) => model.id)).toEqual([
      'chat-default',
      'gemini-default',
      'prompt-helper',
    ]);
    // model_info wins (8000); the proxy fills what the file left unset.
    expect(catalog.get('chat-default')).toEqual({
      id: 'chat-default',
      label: 'GPT-4o mini',
      provider: 'openai',
      hidden: false,
      maxInputTokens: 128000,
      maxOutputTokens: 8000,
      inputCostPerToken: 1.5e-7,
      outputCostPerToken: 6e-7,
      supportsTemperature: true,
      // The mock lists no reasoning_effort and reports no reasoning, vision or tools.
      supportsReasoning: false,
      reasoningEfforts: [],
      supportsVision: false,
      supportsFunctionCalling: false,
      served: true,
    });
    expect(catalog.get('gemini-default')).toMatchObject({ provider: 'google', maxOutputTokens: 65536 });
    expect(catalog.get('claude-default')).toBeUndefined();
    expect(catalog.isUnserved('claude-default')).toBe(true);
    expect(catalog.unservedModels().map((model) => model.id)).toEqual(['claude-default']);
    expect(catalog.status()).toMatchObject({
      source: 'litellm-file',
      models: 2,
      discovery: 'model_group_info',
      stale: false,
      unserved: ['claude-default'],
    });
    expect(catalog.status().lastRefreshAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(catalog.status().error).toBeUndefined();
    expect(logger.lines).toContainEqual({
      level: 'warn',
      message: 'model catalog: the proxy does not serve claude-default; not offered',
    });
    // The proxy's root, with the key as a Bearer token.
    const asked = mock.requests.filter((request) => request.path === '/model_group/info');
    expect(asked).toHaveLength(1);
    expect(asked[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it('maps LiteLLM deployment ids to their alias from /model/info (stream attribution)', async () => {
    const mock = await startMock();
    const { catalog } = await startCatalog(mock.url);
    expect(catalog.aliasOfDeployment(defaultDeploymentId('chat-default'))).toBe('chat-default');
    expect(catalog.aliasOfDeployment(defaultDeploymentId('gemini-default'))).toBe('gemini-default');
    expect(catalog.aliasOfDeployment('no-such-deployment')).toBeUndefined();
    const asked = mock.requests.filter((request) => request.path === '/model/info');
    expect(asked).toHaveLength(1);
    expect(asked[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it('reads the recorded LiteLLM 1.81.13 /model/info: deployment id → model_name, nothing else kept', async () => {
    const recorded = JSON.parse(
      readFileSync(
        new URL('../../../test/fixtures/litellm-recordings/models-model-info.trimmed.json', import.meta.url),
        'utf8',
      ),
    ) as { response: { bodyRaw: string } };
    const url = await startStubProxy((path) =>
      path === '/model/info'
        ? { status: 200, body: JSON.parse(recorded.response.bodyRaw) as unknown }
        : { status: 200, body: { data: [{ model_group: 'chat-default' }] } },
    );
    const { catalog } = await startCatalog(url);
    expect(
      catalog.aliasOfDeployment('0916c0fe1bfd4073c91660facae44bca66738b958c3cbebc45b0d4097f3e1a64'),
    ).toBe('chat-default');
    expect(
      catalog.aliasOfDeployment('ed01e57cb7bd0066e60fbe00f94fa9920009bf3fb0b05d65017df23017a6dd87'),
    ).toBe('claude-default');
  });

  it('without /model/info discovery still works; no deployment is known', async () => {
    const url = await startStubProxy((path) =>
      path === '/model/info'
        ? { status: 403 }
        : { status: 200, body: { data: [{ model_group: 'chat-default' }] } },
    );
    const { catalog } = await startCatalog(url);
    expect(catalog.status()).toMatchObject({ discovery: 'model_group_info', stale: false });
    expect(catalog.aliasOfDeployment(defaultDeploymentId('chat-default'))).toBeUndefined();
  });

  it('answers from memory: reading the catalog never calls the proxy', async () => {
    const mock = await startMock();
    const { catalog } = await startCatalog(mock.url);
    const before = mock.requests.length;
    for (let index = 0; index < 20; index += 1) catalog.list();
    expect(mock.requests.length).toBe(before);
    await catalog.refresh();
    // Once per refresh: /model_group/info and /model/info.
    expect(mock.requests.length).toBe(before + 2);
  });

  it('proxy down: serves the config catalog, flags stale, and says why', async () => {
    const mock = await startMock();
    const url = mock.url;
    await mock.close();
    const { catalog, logger } = await startCatalog(url);

    expect(catalog.list().map((model) => model.id)).toEqual([
      'chat-default',
      'claude-default',
      'gemini-default',
      'prompt-helper',
    ]);
    const status = catalog.status();
    expect(status).toMatchObject({ discovery: 'unreachable', stale: true, lastRefreshAt: null, models: 3 });
    expect(status.error).toMatch(/model_group\/info/);
    expect(
      logger.lines.some((line) => line.level === 'warn' && line.message.includes('model discovery failed')),
    ).toBe(true);
  });

  it('a rejected key is reported without the key', async () => {
    const mock = await startMock();
    const { catalog, logger } = await startCatalog(mock.url, 'sk-wrong-sentinel');
    expect(catalog.status()).toMatchObject({ stale: true, discovery: 'unreachable' });
    expect(catalog.status().error).toContain('HTTP 401');
    expect(JSON.stringify([catalog.status(), logger.lines])).not.toContain('sk-wrong-sentinel');
  });
});

describe('model discovery fallbacks', () => {
  it('falls back to {baseUrl}/models when /model_group/info is not there', async () => {
    const seen: string[] = [];
    const url = await startStubProxy((path) => {
      seen.push(path);
      if (path === '/v1/models')
        return { status: 200, body: { object: 'list', data: [{ id: 'chat-default' }] } };
      return { status: 404, body: { error: { message: 'not found' } } };
    });
    const { catalog } = await startCatalog(url);
    expect(seen.sort()).toEqual(['/model/info', '/model_group/info', '/v1/models']);
    expect(catalog.list().map((model) => model.id)).toEqual(['chat-default', 'prompt-helper']);
    expect(catalog.status()).toMatchObject({
      discovery: 'models',
      stale: false,
      unserved: ['claude-default', 'gemini-default'],
    });
  });

  it('a proxy that goes down keeps the last discovered state, flagged stale, and recovers', async () => {
    let up = true;
    const url = await startStubProxy(() =>
      up
        ? {
            status: 200,
            body: { data: [{ model_group: 'chat-default', providers: ['openai'], mode: 'chat' }] },
          }
        : { status: 503 },
    );
    const { catalog } = await startCatalog(url);
    const version = catalog.version;
    expect(catalog.status().stale).toBe(false);

    expect(catalog.get('chat-default')?.served).toBe(true);

    up = false;
    await catalog.refresh();
    // The same models, but none is known to be served any more (the list says so: a new version).
    expect(catalog.list().map((model) => model.id)).toEqual(['chat-default', 'prompt-helper']);
    expect(catalog.get('chat-default')?.served).toBeUndefined();
    expect(catalog.version).not.toBe(version);
    expect(catalog.status()).toMatchObject({ stale: true, discovery: 'unreachable' });
    expect(catalog.status().error).toContain('HTTP 503');
    const staleVersion = catalog.version;
    await catalog.refresh();
    expect(catalog.version).toBe(staleVersion);

    up = true;
    await catalog.refresh();
    expect(catalog.status()).toMatchObject({ stale: false, discovery: 'model_group_info' });
    expect(catalog.status().error).toBeUndefined();
    expect(catalog.version).toBe(version);
    expect(catalog.get('chat-default')?.served).toBe(true);
  });

  it('treats a body of the wrong shape as a failure, not as "serves nothing"', async () => {
    const url = await startStubProxy(() => ({ status: 200, body: { models: 'yes' } }));
    const { catalog } = await startCatalog(url);
    expect(catalog.list()).toHaveLength(4);
    expect(catalog.status().error).toContain('unexpected response shape');
  });

  it('discovery is off outside proxy mode', async () => {
    const { catalog } = await startCatalog('http://127.0.0.1:9/v1', API_KEY, {
      mode: 'direct',
      chatModel: 'gpt-4o-mini',
    });
    expect(catalog.status()).toMatchObject({ source: 'chat-model', discovery: 'off', stale: false });
  });
});
