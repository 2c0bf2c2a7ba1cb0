import { afterEach, describe, expect, it, vi } from 'vitest';
import { useSession } from './use-session';
import { createFakeFetch, json } from '../test-support/fake-fetch';

const me = { id: 'u1', email: 'new@example.com', name: 'New', role: 'user', plan: null };
/** The server's sign-up answer, the same for a new and a taken email (no cookie, no session). */
const signUpAnswer = () => json({ token: null, user: { id: 'x', email: 'new@example.com', name: 'New' } });

describe('useSession.signUp', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('signs in after signing up (the sign-up answer never carries a session)', async () => {
    const fake = createFakeFetch({
      'POST /api/auth/sign-up/email': signUpAnswer,
      'POST /api/auth/sign-in/email': () => json({ token: 't', user: me }),
      'GET /api/me': () => json(me),
    });
    vi.stubGlobal('fetch', fake.fetch);
    expect(await useSession().signUp('New', 'new@example.com', 'correct horse battery')).toEqual(me);
    expect(fake.calls.map((call) => `${call.method} ${call.path}`)).toEqual([
      'POST /api/auth/sign-up/email',
      'POST /api/auth/sign-in/email',
      'GET /api/me',
    ]);
    expect(fake.calls[1]?.body).toEqual({ email: 'new@example.com', password: 'correct horse battery' });
  });

  it('says to sign in instead when the email already had an account with another password', async () => {
    const fake = createFakeFetch({
      'POST /api/auth/sign-up/email': signUpAnswer,
      'POST /api/auth/sign-in/email': () =>
        json({ code: 'INVALID_EMAIL_OR_PASSWORD', message: 'Invalid email or password' }, 401),
    });
    vi.stubGlobal('fetch', fake.fetch);
    await expect(useSession().signUp('New', 'taken@example.com', 'a guess at it')).rejects.toThrow(
      'If this email already has an account, sign in with its password instead.',
    );
  });
});
