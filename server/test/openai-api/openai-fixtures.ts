import { startMockLlm, type MockLlm } from '@app/mock-llm';
import type { Logger } from 'pino';
import { OpenAICompatibleClient } from '../../src/llm/openai-compatible-client.js';
import { as, buildTestApp, signUp, type TestApp } from '../helpers/build-test-app.js';
import type { Database } from '../../src/db/database.js';

/** chat-default calls functions; plain-default does not; both priced (spend caps need a price). */
export const MODELS_JSON = JSON.stringify([
  {
    id: 'chat-default',
    label: 'GPT mini',
    provider: 'openai',
    supportsFunctionCalling: true,
    inputCostPerToken: 0.000001,
    outputCostPerToken: 0.000002,
  },
  {
    id: 'plain-default',
    label: 'Plain',
    provider: 'openai',
    supportsFunctionCalling: false,
    inputCostPerToken: 0.000001,
    outputCostPerToken: 0.000002,
  },
]);

export interface ApiFixture {
  mock: MockLlm;
  t: TestApp;
  /** http://127.0.0.1:PORT */
  base: string;
  close(): Promise<void>;
}

export async function startApiFixture(
  options: {
    env?: Record<string, string>;
    mock?: MockLlm;
    database?: Database;
    logger?: Logger;
    interTokenMs?: number;
    adminCliToken?: string;
  } = {},
): Promise<ApiFixture> {
  const mock =
    options.mock ??
    (await startMockLlm({
      interTokenMs: options.interTokenMs ?? 1,
      models: [
        { id: 'chat-default', supportsFunctionCalling: true },
        { id: 'plain-default', supportsFunctionCalling: false },
      ],
    }));
  const client = new OpenAICompatibleClient({
    baseURL: mock.url,
    apiKey: 'sk-test',
    defaultModel: 'chat-default',
    timeoutMs: 5_000,
    maxRetries: 0,
  });
  const t = await buildTestApp({
    llmClient: client,
    env: {
      LLM_API_KEY: 'sk-test',
      LLM_MODELS_JSON: MODELS_JSON,
      LLM_BASELINE_MODELS: 'chat-default,plain-default',
      ...options.env,
    },
    ...(options.database ? { database: options.database } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.adminCliToken ? { adminCliToken: options.adminCliToken } : {}),
  });
  const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  return {
    mock,
    t,
    base,
    close: async () => {
      await t.close();
      if (!options.mock) await mock.close();
    },
  };
}

export async function newOwner(t: TestApp, email: string) {
  const cookie = await signUp(t.app, email);
  return { cookie, email };
}

export async function createChatbot(
  t: TestApp,
  cookie: string,
  body: Record<string, unknown> = {},
): Promise<{ id: string; name: string }> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/chatbots',
    headers: as(cookie),
    payload: { name: 'Support bot', systemPrompt: 'You are the support bot.', maxTokens: 500, ...body },
  });
  if (response.statusCode !== 201 && response.statusCode !== 200) {
    throw new Error(`chatbot create failed: ${response.statusCode} ${response.body}`);
  }
  return response.json();
}

export async function createKey(
  t: TestApp,
  cookie: string,
  body: Record<string, unknown> = {},
): Promise<{ secret: string; key: { id: string; prefix: string } }> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/api-keys',
    headers: as(cookie),
    payload: { name: 'Test key', chatbotIds: null, ...body },
  });
  if (response.statusCode !== 201)
    throw new Error(`key create failed: ${response.statusCode} ${response.body}`);
  return response.json();
}
