import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('loadConfig', () => {
  it('has working defaults: demo LLM mode, embedded database, port 3000', () => {
    const config = loadConfig({});
    expect(config.server.port).toBe(3000);
    expect(config.database.kind).toBe('pglite');
    expect(config.llm.mode).toBe('demo');
    expect(config.llm.modelChat).toBe('chat-default');
    expect(config.llm.modelPromptGen).toBe('prompt-helper');
    expect(config.llm.timeoutMs).toBe(60_000);
    expect(config.llm.keepAliveMs).toBe(4_000);
    expect(config.server.trustedOrigins).toEqual([
      'http://localhost:3000',
      'http://127.0.0.1:3000',
      'http://localhost:5173',
    ]);
  });

  it('chooses proxy mode with LLM_BASE_URL and direct mode with only a key', () => {
    expect(loadConfig({ LLM_BASE_URL: 'http://litellm:4000', LLM_API_KEY: 'k' }).llm.mode).toBe('proxy');
    expect(loadConfig({ OPENAI_API_KEY: 'sk-test' }).llm.mode).toBe('direct');
    expect(loadConfig({ OPENAI_API_KEY: 'sk-test' }).llm.apiKey).toBe('sk-test');
  });

  it('names the variable, the bad value and what is expected', () => {
    expect(problemsOf({ PORT: 'abc' })).toEqual([
      'Invalid environment variable PORT="abc": expected an integer from 0 to 65535',
    ]);
    const [databaseProblem] = problemsOf({ DATABASE_URL: 'nonsense' });
    expect(databaseProblem).toContain('DATABASE_URL="nonsense"');
    expect(databaseProblem).toContain('postgres://');
  });

  it('lists every bad variable at once and never echoes a secret', () => {
    const problems = problemsOf({
      PORT: '-1',
      LLM_TIMEOUT_MS: 'soon',
      LLM_BASE_URL: 'ftp://x',
      REDIS_URL: 'x',
    });
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/LLM_TIMEOUT_MS/);
  });

  it('keeps idle upstream connections as long as LLM_KEEPALIVE_MS says, within bounds', () => {
    expect(loadConfig({ LLM_KEEPALIVE_MS: '70000' }).llm.keepAliveMs).toBe(70_000);
    expect(problemsOf({ LLM_KEEPALIVE_MS: '500' })).toEqual([
      'Invalid environment variable LLM_KEEPALIVE_MS="500": expected an integer from 1000 to 600000',
    ]);
  });

  it('uses a real PostgreSQL with DATABASE_URL', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/app', DATABASE_POOL_MAX: '4' });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://u:p@db:5432/app', poolMax: 4 });
  });

  it('refuses production without a real auth secret or LLM key', () => {
    const problems = problemsOf({ NODE_ENV: 'production', LLM_BASE_URL: 'http://litellm:4000' });
    expect(problems.some((line) => line.startsWith('BETTER_AUTH_SECRET is missing'))).toBe(true);
    expect(problems.some((line) => line.startsWith('LLM_API_KEY'))).toBe(true);
    expect(problemsOf({ NODE_ENV: 'production', BETTER_AUTH_SECRET: 'change-me' })[0]).toMatch(/placeholder/);
    expect(
      problemsOf({
        NODE_ENV: 'production',
        BETTER_AUTH_SECRET: 'Zr8QpL2vXk9TnW4sYb7JcH1mFd6GaE3u',
        LLM_API_KEY: 'sk-real-key',
      }),
    ).toEqual([]);
  });

  it('believes no X-Forwarded-For unless TRUST_PROXY says so, in production too', () => {
    const production = { NODE_ENV: 'production', BETTER_AUTH_SECRET: 'y'.repeat(40) };
    expect(loadConfig({}).server.trustProxy).toBe(false);
    expect(loadConfig(production).server.trustProxy).toBe(false);
    expect(loadConfig({ ...production, TRUST_PROXY: 'false' }).server.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '0' }).server.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '' }).server.trustProxy).toBe(false);
  });

  it('reads TRUST_PROXY as a hop count or a list of proxy addresses and CIDRs', () => {
    expect(loadConfig({ TRUST_PROXY: '1' }).server.trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '2' }).server.trustProxy).toBe(2);
    expect(
      loadConfig({ TRUST_PROXY: '10.0.0.5, 172.16.0.0/12,fd00::/8, ::1,loopback,192.168.0.0/255.255.0.0' })
        .server.trustProxy,
    ).toEqual(['10.0.0.5', '172.16.0.0/12', 'fd00::/8', '::1', 'loopback', '192.168.0.0/255.255.0.0']);
  });

  it('refuses a TRUST_PROXY that is not false, a hop count or addresses, naming it and what it expects', () => {
    const [trueProblem] = problemsOf({ TRUST_PROXY: 'true' });
    expect(trueProblem).toMatch(
      /^Invalid environment variable TRUST_PROXY="true": expected false, the number of proxies/,
    );
    expect(trueProblem).toContain('left-most X-Forwarded-For entry, which the client writes');
    for (const bad of ['nginx', '10.0.0.0/33', '10.0.0.0/8, proxy.local', '1.5', '-1', '999', ' , ']) {
      const problems = problemsOf({ TRUST_PROXY: bad });
      expect(problems, bad).toHaveLength(1);
      expect(problems[0], bad).toContain('Invalid environment variable TRUST_PROXY=');
      expect(problems[0], bad).toContain('a comma-separated list of their addresses or CIDRs');
    }
    expect(problemsOf({ TRUST_PROXY: '10.0.0.0/8, proxy.local' })[0]).toContain(
      'not an address or CIDR: "proxy.local"',
    );
  });

  it('turns the OpenAPI UI off in production unless asked', () => {
    const production = { NODE_ENV: 'production', BETTER_AUTH_SECRET: 'y'.repeat(40) };
    expect(loadConfig(production).server.openApiUi).toBe(false);
    expect(loadConfig({ ...production, OPENAPI_UI: 'true' }).server.openApiUi).toBe(true);
    expect(loadConfig({}).server.openApiUi).toBe(true);
  });
});

describe('loadConfig with empty values', () => {
  it('treats NAME= as unset, as dotenv and compose produce it', () => {
    const config = loadConfig({
      NODE_ENV: '',
      LOG_LEVEL: '',
      OPENAPI_UI: '',
      DATA_DIR: '',
      HOST: ' ',
      PORT: '',
    });
    expect(config.nodeEnv).toBe('development');
    expect(config.server.port).toBe(3000);
    expect(config.server.host).toBe('127.0.0.1');
  });
});
