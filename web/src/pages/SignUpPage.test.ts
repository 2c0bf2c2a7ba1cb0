import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import { mountAt } from '../components/onboarding/onboarding-test-kit';
import { apiError, json } from '../test-support/fake-fetch';
import { serverInfo } from '../test-support/fixtures';
import SignUpPage from './SignUpPage.vue';

const config = (signup: string) => () => json({ ...serverInfo, signup });
const anonymous = () => apiError(401, 'unauthorized', 'Sign in first');

async function fill(wrapper: Awaited<ReturnType<typeof mountAt>>['wrapper']) {
  await wrapper.find('#sign-up-email').setValue('ada@example.com');
  await wrapper.find('#sign-up-password').setValue('correct horse battery');
}

describe('SignUpPage', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  it('open: no invite field', async () => {
    const { wrapper } = await mountAt(SignUpPage, {
      path: '/sign-up',
      routes: { 'GET /api/config': config('open'), 'GET /api/me': anonymous },
    });
    expect(wrapper.find('#sign-up-email').exists()).toBe(true);
    expect(wrapper.find('[data-testid="invite-field"]').exists()).toBe(false);
  });

  it('closed: says so, with no form and a way to sign in', async () => {
    const { wrapper } = await mountAt(SignUpPage, {
      path: '/sign-up',
      routes: { 'GET /api/config': config('closed'), 'GET /api/me': anonymous },
    });
    expect(wrapper.find('[data-testid="signup-closed"]').text()).toBe(
      'Sign-up is closed on this server; ask its administrator for an invite.',
    );
    expect(wrapper.find('form').exists()).toBe(false);
    expect(wrapper.find('a[href="/sign-in"]').exists()).toBe(true);
  });

  it('closed, with an invite link: the form, with the invite', async () => {
    const { wrapper } = await mountAt(SignUpPage, {
      path: '/sign-up?invite=from-admin',
      routes: { 'GET /api/config': config('closed'), 'GET /api/me': anonymous },
    });
    expect(wrapper.find('[data-testid="signup-closed"]').exists()).toBe(false);
    expect((wrapper.find('#sign-up-invite').element as HTMLInputElement).value).toBe('from-admin');
  });

  it('invite: takes the code from the link and sends it with the sign-up', async () => {
    const { wrapper, fake } = await mountAt(SignUpPage, {
      path: '/sign-up?invite=abc123',
      routes: {
        'GET /api/config': config('invite'),
        'GET /api/me': anonymous,
        'POST /api/auth/sign-up/email': () => json({ user: { id: 'u1' } }),
        'POST /api/auth/sign-in/email': () => json({ user: { id: 'u1' } }),
      },
    });
    expect((wrapper.find('#sign-up-invite').element as HTMLInputElement).value).toBe('abc123');
    expect(wrapper.find('[data-testid="invite-hint"]').text()).toBe('From your invite link.');
    await fill(wrapper);
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    const signUp = fake.calls.find((call) => call.path === '/api/auth/sign-up/email');
    expect(signUp?.body).toMatchObject({ email: 'ada@example.com', inviteCode: 'abc123' });
  });

  it('invite without a code: the sentence, and the server decides (the first account needs none)', async () => {
    const { wrapper, fake } = await mountAt(SignUpPage, {
      path: '/sign-up',
      routes: {
        'GET /api/config': config('invite'),
        'GET /api/me': anonymous,
        'POST /api/auth/sign-up/email': () =>
          apiError(400, 'invite_invalid', 'Sign-up on this server needs an invite: open the invite link.'),
      },
    });
    expect(wrapper.find('[data-testid="invite-hint"]').text()).toContain(
      'Sign-up on this server is by invite.',
    );
    await fill(wrapper);
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    const signUp = fake.calls.find((call) => call.path === '/api/auth/sign-up/email');
    expect(signUp?.body).not.toHaveProperty('inviteCode');
    expect(wrapper.find('#sign-up-invite').attributes('aria-invalid')).toBe('true');
    expect(wrapper.find('[data-testid="invite-hint"]').text()).toBe(
      'Sign-up on this server needs an invite: open the invite link.',
    );
  });

  it('invite the server refuses: its sentence on the invite field', async () => {
    const { wrapper } = await mountAt(SignUpPage, {
      path: '/sign-up?invite=used',
      routes: {
        'GET /api/config': config('invite'),
        'GET /api/me': anonymous,
        'POST /api/auth/sign-up/email': () =>
          apiError(400, 'invite_invalid', 'This invite link was already used or has expired.'),
      },
    });
    await fill(wrapper);
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(wrapper.find('[data-testid="invite-hint"]').text()).toBe(
      'This invite link was already used or has expired.',
    );
    expect(wrapper.find('#sign-up-invite').attributes('aria-invalid')).toBe('true');
  });

  it('a sign-up closed meanwhile: the sentence at the top', async () => {
    const { wrapper } = await mountAt(SignUpPage, {
      path: '/sign-up',
      routes: {
        'GET /api/config': config('open'),
        'GET /api/me': anonymous,
        'POST /api/auth/sign-up/email': () =>
          apiError(403, 'signup_closed', 'Sign-up is closed on this server.'),
      },
    });
    await fill(wrapper);
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(wrapper.find('[role="alert"]').text()).toBe(
      'Sign-up is closed on this server; ask its administrator for an invite.',
    );
  });
});
