import { describe, expect, it } from 'vitest';
import type { Me, PublicServerInfo } from '@app/common';
import { isFirstAccount, signupModeOf } from './server-flags';

const info: PublicServerInfo = { llmMode: 'proxy', defaultModel: 'm', plans: [], signup: 'open' };
const me: Me = { id: 'u1', email: 'a@example.com', name: 'A', role: 'admin', plan: null, firstAccount: true };

describe('server flags', () => {
  it('reads the sign-up mode, open until the server info is there', () => {
    expect(signupModeOf({ ...info, signup: 'invite' })).toBe('invite');
    expect(signupModeOf({ ...info, signup: 'closed' })).toBe('closed');
    expect(signupModeOf(info)).toBe('open');
    expect(signupModeOf(undefined)).toBe('open');
  });

  it('the first account is the administrator that signed up first', () => {
    expect(isFirstAccount(me)).toBe(true);
    expect(isFirstAccount({ ...me, firstAccount: false })).toBe(false);
    expect(isFirstAccount({ ...me, role: 'user' })).toBe(false);
    expect(isFirstAccount(null)).toBe(false);
  });
});
