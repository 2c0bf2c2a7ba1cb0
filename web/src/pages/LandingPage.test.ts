import { afterEach, describe, expect, it, vi } from 'vitest';
import { mountAt } from '../components/onboarding/onboarding-test-kit';
import { apiError, json } from '../test-support/fake-fetch';
import { serverInfo } from '../test-support/fixtures';
import LandingPage from './LandingPage.vue';

const anonymous = () => apiError(401, 'unauthorized', 'Sign in first');
const bot = { slug: 'trip-planner', name: 'Trip planner', description: 'Plans weekends.', avatarUrl: null };

describe('LandingPage', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  it('says what the product does, with sign up and sign in', async () => {
    const { wrapper } = await mountAt(LandingPage, {
      routes: { 'GET /api/me': anonymous, 'GET /api/public/gallery': () => json([]) },
    });
    expect(wrapper.find('h1').text()).toBe('Build a chatbot on any model. Share it in a link.');
    expect(wrapper.findAll('.point__title').map((title) => title.text())).toEqual([
      'Build on any model',
      'Chat with streamed answers',
      'Publish it',
    ]);
    expect(wrapper.find('[data-testid="landing-sign-up"]').attributes('href')).toBe('/sign-up');
    expect(wrapper.find('[data-testid="landing-sign-in"]').attributes('href')).toBe('/sign-in');
    expect(wrapper.find('[data-testid="landing-gallery"]').exists()).toBe(false); // empty gallery
  });

  it('shows the gallery’s bots as links to their share page', async () => {
    const { wrapper } = await mountAt(LandingPage, {
      routes: { 'GET /api/me': anonymous, 'GET /api/public/gallery': () => json([bot]) },
    });
    const card = wrapper.find('[data-testid="gallery-card"]');
    expect(card.attributes('href')).toBe('/c/trip-planner');
    expect(card.text()).toContain('Trip planner');
  });

  it('no gallery section while the server has no publishing (404)', async () => {
    const { wrapper } = await mountAt(LandingPage, { routes: { 'GET /api/me': anonymous } });
    expect(wrapper.find('[data-testid="landing-gallery"]').exists()).toBe(false);
  });

  it('sign-up closed: no sign-up button, and the sentence', async () => {
    const { wrapper } = await mountAt(LandingPage, {
      routes: {
        'GET /api/me': anonymous,
        'GET /api/config': () => json({ ...serverInfo, signup: 'closed' }),
      },
    });
    expect(wrapper.find('[data-testid="landing-sign-up"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="landing-signup-closed"]').text()).toBe(
      'Sign-up is closed on this server; ask its administrator for an invite.',
    );
  });
});

describe('the landing route', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('is public for a visitor, and sends a signed-in user to their chatbots', async () => {
    const { authGuard } = await import('../router');
    const { useSession } = await import('../composables/use-session');
    const landing = { name: 'landing', path: '/', fullPath: '/', meta: { public: true } };
    vi.stubGlobal('fetch', () => Promise.resolve(new Response('{}', { status: 401 })));
    await useSession().load(true);
    expect(await authGuard(landing as never)).toBe(true);
    vi.stubGlobal('fetch', () =>
      Promise.resolve(json({ id: 'u1', email: 'a@example.com', name: 'A', role: 'user', plan: null })),
    );
    await useSession().load(true);
    expect(await authGuard(landing as never)).toEqual({ name: 'chatbots' });
  });
});
