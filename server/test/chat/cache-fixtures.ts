import { expect } from 'vitest';
import { as, type TestApp } from '../helpers/build-test-app.js';

export const ADMIN_TOKEN = 'admin-token-for-cache-tests';

/** Three models and plans: basic may use chat-default only, pro adds claude-default. */
export const CACHE_TEST_ENV = {
  LLM_API_KEY: 'sk-test',
  LLM_MODELS_JSON: JSON.stringify([
    { id: 'chat-default', label: 'GPT mini', provider: 'openai' },
    { id: 'claude-default', label: 'Claude', provider: 'anthropic' },
  ]),
  LLM_PLAN_MODELS_JSON: JSON.stringify({ basic: ['chat-default'], pro: ['chat-default', 'claude-default'] }),
};

/** The API calls the cache tests make, on one instance. */
export function cacheTestClient(t: TestApp) {
  return {
    /** As an operator would: through the admin API of the running server. */
    async setPlan(email: string, plan: string | null) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/admin/users/plan',
        headers: { 'x-admin-token': ADMIN_TOKEN },
        payload: { email, plan },
      });
      expect(response.statusCode).toBe(200);
    },
    async userId(cookie: string): Promise<string> {
      return (await t.app.inject({ method: 'GET', url: '/api/me', headers: as(cookie) })).json().id;
    },
    async createChatbot(cookie: string, body: Record<string, unknown> = {}): Promise<{ id: string }> {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/chatbots',
        headers: as(cookie),
        payload: { name: 'Cached', ...body },
      });
      expect(response.statusCode).toBe(201);
      return response.json();
    },
    async editChatbot(cookie: string, id: string, body: Record<string, unknown>) {
      const response = await t.app.inject({
        method: 'PATCH',
        url: `/api/chatbots/${id}`,
        headers: as(cookie),
        payload: body,
      });
      expect(response.statusCode).toBe(200);
    },
    chat(cookie: string, chatbotId: string, message = 'hello') {
      return t.app.inject({
        method: 'POST',
        url: `/api/chatbots/${chatbotId}/chat`,
        headers: { ...as(cookie), accept: 'application/json' },
        payload: { message },
      });
    },
  };
}
