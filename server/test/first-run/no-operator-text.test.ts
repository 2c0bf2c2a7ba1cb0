import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envVarNames } from '../../src/config/index.js';
import { as, buildTestApp, signUp, type TestApp } from '../helpers/build-test-app.js';

/** A normal user never reads the operator's settings: no environment variable name in what they get. */
describe('no operator text for a normal user', () => {
  let t: TestApp;
  let member: string;
  beforeAll(async () => {
    t = await buildTestApp({
      llm: {
        client: {
          generate: () => Promise.reject(new Error('unused')),
          chatStream: () => [][Symbol.iterator]() as never,
        },
        mode: 'demo',
        endpoint: 'http://127.0.0.1:1/v1',
        close: async () => {},
      },
    });
    await signUp(t.app, 'owner@example.com'); // the administrator
    member = await signUp(t.app, 'member@example.com');
  });
  afterAll(() => t.close());

  it('keeps every variable name out of the config, profile, models, usage and plan answers', async () => {
    const names = new RegExp(`\\b(${envVarNames.join('|')}|OPENAI_API_KEY)\\b`);
    for (const url of ['/api/config', '/api/me', '/api/llm/models', '/api/usage', '/api/plan']) {
      const response = await t.app.inject({ method: 'GET', url, headers: as(member) });
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).not.toMatch(names);
    }
    const me = (await t.app.inject({ method: 'GET', url: '/api/me', headers: as(member) })).json();
    expect(me).toMatchObject({ role: 'user', firstAccount: false });
  });
});
