import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startMockLlm, type MockLlm } from '@app/mock-llm';
import type { PublicationSettingsBody } from '@app/common';
import { OpenAICompatibleClient } from '../../src/llm/openai-compatible-client.js';
import type { Database } from '../../src/db/database.js';
import { as, buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { userWithChatbot } from '../chat/chat-fixtures.js';

export const ADMIN_TOKEN = 'publishing-admin-token';
export const SYSTEM_PROMPT = 'SECRET-PROMPT: you are the support bot of Example Shop.';

// Catalog prices, so the bots' spend caps hold real estimates.
const LITELLM = `
model_list:
  - model_name: chat-default
    litellm_params: { model: openai/gpt-4.1-mini, api_key: os.environ/OPENAI_API_KEY }
    model_info: { input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 }
`;
const PLANS = `
plans:
  free:
    models: [chat-default]
    limits: { requestsPerMinute: 100000, concurrentStreams: 100 }
  pro:
    models: ["*"]
    limits: { requestsPerMinute: 100000, concurrentStreams: 100, monthlySpendBudgetUsd: 10 }
    publishing:
      allowed: true
      maxPublishedBots: 20
      visitorDefaults: { messagesPerHour: 12, perIpPerHour: 100000 }
baseline:
  models: [chat-default]
  limits: { requestsPerMinute: 100000 }
`;

export interface PublishingRig {
  mock: MockLlm;
  dir: string;
  startApp(options?: {
    database?: Database;
    env?: Record<string, string>;
  }): Promise<{ t: TestApp; base: string }>;
  close(): Promise<void>;
}

/** A mock upstream over real HTTP, and app instances with the plans and catalog above. */
export async function publishingRig(env: Record<string, string> = {}): Promise<PublishingRig> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'publishing-'));
  fs.writeFileSync(path.join(dir, 'litellm.yaml'), LITELLM);
  fs.writeFileSync(path.join(dir, 'plans.yaml'), PLANS);
  // No cost in the upstream's usage: the ledger prices the tokens from the catalog (as for most proxies).
  const mock = await startMockLlm({ interTokenMs: 1, streamUsageCost: false });
  const apps: TestApp[] = [];
  return {
    mock,
    dir,
    async startApp(options = {}) {
      const client = new OpenAICompatibleClient({
        baseURL: mock.url,
        apiKey: 'sk-test',
        defaultModel: 'chat-default',
        timeoutMs: 10_000,
        maxRetries: 0,
      });
      const t = await buildTestApp({
        llmClient: client,
        adminCliToken: ADMIN_TOKEN,
        ...(options.database ? { database: options.database } : {}),
        env: {
          LLM_BASE_URL: mock.url,
          LLM_API_KEY: 'sk-test',
          LITELLM_CONFIG_PATH: path.join(dir, 'litellm.yaml'),
          LLM_PLAN_MODELS_FILE: path.join(dir, 'plans.yaml'),
          RATE_LIMIT_DEFAULT_PER_MINUTE: '100000',
          ...env,
          ...options.env,
        },
      });
      apps.push(t);
      return { t, base: await t.app.listen({ port: 0, host: '127.0.0.1' }) };
    },
    async close() {
      for (const t of apps.reverse()) await t.close();
      await mock.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Sets a user's plan as an operator would (the admin API: every instance is told). */
export async function setPlan(t: TestApp, email: string, plan: string | null): Promise<void> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/admin/users/plan',
    headers: { 'x-admin-token': ADMIN_TOKEN },
    payload: { email, plan },
  });
  if (response.statusCode !== 200) throw new Error(`set plan: ${response.statusCode} ${response.body}`);
}

export function settings(overrides: Partial<PublicationSettingsBody> = {}): PublicationSettingsBody {
  return {
    mode: 'widget',
    slug: `bot-${crypto.randomUUID().slice(0, 8)}`,
    greeting: 'Hi! Ask me about your order.',
    suggestions: ['Where is my order?'],
    appearance: {
      accent: '#2563eb',
      theme: 'auto',
      position: 'right',
      title: 'Shop help',
      launcherIcon: 'chat',
    },
    allowedOrigins: ['http://shop.example.com'],
    limits: {
      messagesPerHour: 100,
      messagesPerDay: 1000,
      concurrentAnswers: 5,
      monthlySpendCapUsd: 5,
      perIpPerHour: 100000,
    },
    inGallery: false,
    ...overrides,
  };
}

export interface Owner {
  email: string;
  cookie: string;
  userId: string;
  chatbotId: string;
}

/** A user on `plan` with a chatbot (a secret system prompt, small answers). */
export async function owner(t: TestApp, plan: string | null = 'pro'): Promise<Owner> {
  const email = `owner-${crypto.randomUUID()}@example.com`;
  const user = await userWithChatbot(t, email, {
    systemPrompt: SYSTEM_PROMPT,
    maxTokens: 20,
    temperature: 0.3,
  });
  if (plan) await setPlan(t, email, plan);
  return { email, ...user };
}

/** Publishes the owner's chatbot; returns its slug. */
export async function publish(
  t: TestApp,
  who: Owner,
  overrides: Partial<PublicationSettingsBody> = {},
): Promise<string> {
  const body = settings(overrides);
  const response = await t.app.inject({
    method: 'PUT',
    url: `/api/chatbots/${who.chatbotId}/publication`,
    headers: as(who.cookie),
    payload: body,
  });
  if (response.statusCode !== 200) throw new Error(`publish: ${response.statusCode} ${response.body}`);
  return body.slug;
}

/** A new visitor's token (over real HTTP). */
export async function visitorToken(
  base: string,
  slug: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const response = await fetch(`${base}/api/public/bots/${slug}/visitors`, { method: 'POST', headers });
  if (response.status !== 200) throw new Error(`visitor: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

/** POST /api/public/bots/:slug/chat as a visitor. */
export function publicChat(
  base: string,
  slug: string,
  token: string,
  body: Record<string, unknown>,
  init: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Response> {
  return fetch(`${base}/api/public/bots/${slug}/chat`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...init.headers,
    },
    body: JSON.stringify(body),
    ...(init.signal ? { signal: init.signal } : {}),
  });
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** Every key (at any depth) of a JSON value. */
export function keysDeep(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) keysDeep(item, into);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      into.add(key);
      keysDeep(inner, into);
    }
  }
  return into;
}
