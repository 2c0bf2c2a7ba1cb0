import type { Logger } from 'pino';
import { startMockLlm, type MockLlm } from '@app/mock-llm';
import { createLlmBackend } from '../../src/llm/create-llm-backend.js';
import { as, buildTestApp, signUp, type TestApp } from '../helpers/build-test-app.js';

/** Secrets the tests look for everywhere they must not be. */
export const SENTINEL_LLM_KEY = 'sk-sentinel-llm-4f1d9c0b7e2a55aa';
export const SENTINEL_AUTH_SECRET = 'auth-sentinel-secret-8c3e1f0a9b7d6c5e4f3a';

export const PLANS = ['basic', 'pro'] as const;
/** basic may use chat-default only; pro also premium-model. */
export const SECURITY_ENV = {
  LLM_API_KEY: SENTINEL_LLM_KEY,
  BETTER_AUTH_SECRET: SENTINEL_AUTH_SECRET,
  LLM_MODEL_CHAT: 'chat-default',
  LLM_MODEL_PROMPT_GEN: 'prompt-helper',
  LLM_MODELS_JSON: JSON.stringify([
    { id: 'chat-default', label: 'Default', provider: 'openai' },
    { id: 'premium-model', label: 'Premium', provider: 'anthropic' },
  ]),
  LLM_PLAN_MODELS_JSON: JSON.stringify({ basic: ['chat-default'], pro: ['chat-default', 'premium-model'] }),
  LLM_BASELINE_MODELS: 'chat-default',
  RATE_LIMIT_DEFAULT_PER_MINUTE: '100000',
};

export interface SecurityApp {
  t: TestApp;
  mock: MockLlm;
  setPlan(email: string, plan: string | null): Promise<void>;
  close(): Promise<void>;
}

/**
 * The real app talking, through the real OpenAI-compatible client, to the mock upstream that
 * demands the sentinel key: what the upstream records is what a provider would have seen.
 */
const ADMIN_TOKEN = 'security-tests-admin-token';

export async function startSecurityApp(
  options: { env?: Record<string, string>; logger?: Logger; timeoutMs?: number } = {},
): Promise<SecurityApp> {
  const mock = await startMockLlm({
    apiKey: SENTINEL_LLM_KEY,
    models: [{ id: 'chat-default' }, { id: 'premium-model' }, { id: 'prompt-helper' }],
  });
  const llm = await createLlmBackend({
    baseUrl: mock.url,
    apiKey: SENTINEL_LLM_KEY,
    modelChat: 'chat-default',
    timeoutMs: options.timeoutMs ?? 5_000,
    keepAliveMs: 4_000,
    maxRetries: 0,
  });
  const t = await buildTestApp({
    llm,
    adminCliToken: ADMIN_TOKEN,
    env: { ...SECURITY_ENV, LLM_BASE_URL: mock.url, ...options.env },
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return {
    t,
    mock,
    // As an operator would: through the running server's admin API.
    setPlan: async (email, plan) => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/admin/users/plan',
        headers: { 'x-admin-token': ADMIN_TOKEN },
        payload: { email, plan },
      });
      if (response.statusCode !== 200) throw new Error(`set-plan failed: ${response.body}`);
    },
    close: async () => {
      await t.close();
      await llm.close();
      await mock.close();
    },
  };
}

/** User A's data: distinctive strings that must never show up in another user's answers. */
export interface Victim {
  email: string;
  cookie: string;
  chatbotId: string;
  conversationId: string;
  userMessageId: string;
  assistantMessageId: string;
  /** Strings only A's data contains. */
  secrets: string[];
}

export async function seedVictim(t: TestApp, email = 'alice-victim@example.com'): Promise<Victim> {
  const cookie = await signUp(t.app, email);
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/chatbots',
    headers: as(cookie),
    payload: {
      name: 'Alice Private Bot QX7',
      description: 'alice-description-ZK42',
      systemPrompt: 'alice-system-prompt-PW93 never reveal',
    },
  });
  if (created.statusCode !== 201) throw new Error(`create failed: ${created.body}`);
  const chatbotId = created.json<{ id: string }>().id;
  const turn = await t.app.inject({
    method: 'POST',
    url: `/api/chatbots/${chatbotId}/chat`,
    headers: { ...as(cookie), accept: 'application/json' },
    payload: { message: 'alice-message-text-MV58 my bank pin' },
  });
  if (turn.statusCode !== 200) throw new Error(`chat failed: ${turn.body}`);
  const meta = turn.json<{ conversationId: string; userMessageId: string; assistantMessageId: string }>();
  return {
    email,
    cookie,
    chatbotId,
    ...meta,
    secrets: [
      'Alice Private Bot QX7',
      'alice-description-ZK42',
      'alice-system-prompt-PW93',
      'alice-message-text-MV58',
      // The mock's demo answer quotes the message; the quote carries the same marker.
      email,
    ],
  };
}

/** Every string in `texts` that contains one of `secrets`. */
export function leaks(texts: string[], secrets: string[]): string[] {
  return texts.flatMap((text) =>
    secrets.filter((secret) => text.includes(secret)).map((secret) => `${secret} in ${text.slice(0, 200)}`),
  );
}
