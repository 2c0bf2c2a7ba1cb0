import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mountAt, me } from './onboarding-test-kit';
import { json } from '../../test-support/fake-fetch';
import FirstAdminNotice from './FirstAdminNotice.vue';

const admin = { ...me, role: 'admin' };

describe('FirstAdminNotice', () => {
  beforeEach(() => localStorage.clear());
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  it('tells the first account it is the administrator, links the console, and goes once dismissed', async () => {
    const routes = { 'GET /api/me': () => json({ ...admin, firstAccount: true }) };
    const { wrapper } = await mountAt(FirstAdminNotice, { routes });
    const notice = wrapper.find('[data-testid="first-admin-notice"]');
    expect(notice.text()).toContain(
      "You're the first account, so you are this server's administrator. The admin console is here:",
    );
    expect(notice.find('a').attributes('href')).toBe('/admin');
    await wrapper.find('[data-testid="first-admin-dismiss"]').trigger('click');
    expect(wrapper.find('[data-testid="first-admin-notice"]').exists()).toBe(false);
    wrapper.unmount();

    const again = await mountAt(FirstAdminNotice, { routes });
    expect(again.wrapper.find('[data-testid="first-admin-notice"]').exists()).toBe(false);
  });

  it('says nothing to any later account, admin or not', async () => {
    for (const user of [admin, me, { ...me, firstAccount: false }]) {
      const { wrapper } = await mountAt(FirstAdminNotice, { routes: { 'GET /api/me': () => json(user) } });
      expect(wrapper.find('[data-testid="first-admin-notice"]').exists()).toBe(false);
      wrapper.unmount();
    }
  });
});
