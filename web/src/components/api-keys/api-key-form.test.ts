import { describe, expect, it } from 'vitest';
import { emptyForm, keyState, scopeText, snippets, toCreateBody } from './api-key-form';

const now = new Date('2026-12-03T12:00:00Z');

describe('the API key form', () => {
  it('builds the body: all chatbots, no expiry, no caps', () => {
    const result = toCreateBody({ ...emptyForm(), name: 'Backend' }, now);
    expect(result.body).toEqual({
      name: 'Backend',
      chatbotIds: null,
      expiresAt: null,
      monthlySpendCapUsd: null,
      requestsPerMinute: null,
    });
  });

  it('builds the body with a scope, an expiry and caps', () => {
    const result = toCreateBody(
      {
        name: 'Widget',
        scope: 'some',
        chatbotIds: ['a', 'b'],
        expiry: '30',
        spendCap: '12.5',
        requestsPerMinute: '60',
      },
      now,
    );
    expect(result.body).toEqual({
      name: 'Widget',
      chatbotIds: ['a', 'b'],
      expiresAt: '2027-01-02T12:00:00.000Z',
      monthlySpendCapUsd: 12.5,
      requestsPerMinute: 60,
    });
  });

  it('says what is wrong, on the field', () => {
    expect(toCreateBody({ ...emptyForm(), name: '  ' }, now).errors).toMatchObject({
      name: expect.any(String),
    });
    expect(toCreateBody({ ...emptyForm(), name: 'x', scope: 'some' }, now).errors).toEqual({
      chatbotIds: 'Choose at least one chatbot, or all of them.',
    });
    const numbers = toCreateBody(
      { ...emptyForm(), name: 'x', spendCap: 'lots', requestsPerMinute: '1.5' },
      now,
    );
    expect(Object.keys(numbers.errors ?? {}).sort()).toEqual(['monthlySpendCapUsd', 'requestsPerMinute']);
    expect(toCreateBody({ ...emptyForm(), name: 'x', spendCap: '0' }, now).errors?.monthlySpendCapUsd).toBe(
      'Spend cap must be more than 0',
    );
  });

  it('tells a key state and scope in words', () => {
    expect(keyState({ revokedAt: null, expiresAt: null }, now)).toBe('active');
    expect(keyState({ revokedAt: '2026-12-01T00:00:00Z', expiresAt: null }, now)).toBe('revoked');
    expect(keyState({ revokedAt: null, expiresAt: '2026-12-02T00:00:00Z' }, now)).toBe('expired');
    const names: Record<string, string> = { a: 'Support' };
    expect(scopeText({ chatbotIds: null }, (id) => names[id])).toBe('All chatbots');
    expect(scopeText({ chatbotIds: ['a', 'gone'] }, (id) => names[id])).toBe('Support, Deleted chatbot');
  });

  it('writes snippets with the base URL and the slug', () => {
    const code = snippets('https://bots.example.com', 'support-bot');
    expect(code.curl).toContain('https://bots.example.com/v1/chat/completions');
    expect(code.curl).toContain('"model": "support-bot"');
    expect(code.javascript).toContain("baseURL: 'https://bots.example.com/v1'");
    expect(code.javascript).toContain("model: 'support-bot'");
    expect(code.python).toContain('base_url="https://bots.example.com/v1"');
  });
});
