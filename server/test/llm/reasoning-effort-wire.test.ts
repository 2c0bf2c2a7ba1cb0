import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm } from '@app/mock-llm';
import { clientFor, collect, user } from './stream-helpers.js';

let mock: MockLlm;

beforeAll(async () => {
  mock = await startMockLlm({ apiKey: 'sk-test-key' });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const lastBody = () => mock.requests.at(-1)?.body as Record<string, unknown>;

describe('reasoning effort on the wire', () => {
  it('sends reasoning_effort when set, streamed and not', async () => {
    const client = clientFor(mock);
    await collect(client.chatStream(user('Think'), { model: 'reasoning-default', reasoningEffort: 'high' }));
    expect(lastBody()).toMatchObject({ model: 'reasoning-default', reasoning_effort: 'high' });
    await client.generate(user('Think'), { model: 'reasoning-default', reasoningEffort: 'low' });
    expect(lastBody()).toMatchObject({ reasoning_effort: 'low', stream: false });
  });

  it('leaves it off the wire when unset', async () => {
    await collect(clientFor(mock).chatStream(user('Hi'), { model: 'chat-default', temperature: 0.5 }));
    expect(lastBody()).not.toHaveProperty('reasoning_effort');
  });
});
