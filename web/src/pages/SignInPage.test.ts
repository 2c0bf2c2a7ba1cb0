import { afterEach, describe, expect, it, vi } from 'vitest';
import { mountAt } from '../components/onboarding/onboarding-test-kit';
import { apiError, json } from '../test-support/fake-fetch';
import { serverInfo } from '../test-support/fixtures';
import SignInPage from './SignInPage.vue';

const anonymous = () => apiError(401, 'unauthorized', 'Sign in first');

describe('SignInPage and the sign-up mode', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  it('closed: says so and links to no sign-up', async () => {
    const { wrapper } = await mountAt(SignInPage, {
      path: '/sign-in',
      routes: {
        'GET /api/config': () => json({ ...serverInfo, signup: 'closed' }),
        'GET /api/me': anonymous,
      },
    });
    expect(wrapper.find('[data-testid="signup-closed"]').text()).toBe(
      'Sign-up is closed on this server; ask its administrator for an invite.',
    );
    expect(wrapper.find('a[href="/sign-up"]').exists()).toBe(false);
  });

  it('open or invite: the link to create an account', async () => {
    const { wrapper } = await mountAt(SignInPage, {
      path: '/sign-in',
      routes: {
        'GET /api/config': () => json({ ...serverInfo, signup: 'invite' }),
        'GET /api/me': anonymous,
      },
    });
    expect(wrapper.find('[data-testid="signup-closed"]').exists()).toBe(false);
    expect(wrapper.find('a[href="/sign-up"]').text()).toBe('Create one');
  });
});
