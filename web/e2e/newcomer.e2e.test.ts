import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from './support/browser';
import { startOwnServer, type OwnServer } from './support/own-server';

/**
 * Issue 25, the first ten minutes, in a real browser on an empty data directory (its own server per
 * screen size, so the first sign-up really is the instance's first account): the landing page, sign
 * up (becomes the administrator, and is told so), a chatbot from a template, its suggested first
 * question answered with a streamed code block, the three-step guide, and a second account that is a
 * normal user and sees no operator text.
 */

const viewports = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'mobile', width: 390, height: 844 },
] as const;
type Viewport = (typeof viewports)[number];

const docsScreenshots = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const PASSWORD = 'correct horse battery';
/** What only an operator should read: environment variable names, the admin console. */
const OPERATOR_TEXT = [/LLM_/, /admin console/i, /\b[A-Z][A-Z0-9]+_[A-Z0-9_]{2,}\b/, /docs\/\w+\.md/];

let browser: Browser;
let server: OwnServer | undefined;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  mkdirSync(docsScreenshots, { recursive: true });
});
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
  await server?.close();
  server = undefined;
});
afterAll(async () => {
  await browser?.close();
});

async function shot(page: Page, name: string) {
  await page.mouse.move(0, 0); // no hover state in the picture (its transition ends first)
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(docsScreenshots, `${name}.png`) });
}

async function openPage(viewport: Viewport, colorScheme: 'light' | 'dark' = 'light') {
  const context = await browser.newContext({
    baseURL: server!.baseUrl,
    viewport: { width: viewport.width, height: viewport.height },
    deviceScaleFactor: 1,
    hasTouch: viewport.name === 'mobile',
    colorScheme,
    reducedMotion: 'no-preference',
  });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { page, errors };
}

/** From the landing page's button, like a visitor would. */
async function signUpFromLanding(page: Page, email: string) {
  await page.goto('/');
  await page.getByTestId('landing').waitFor();
  await page.getByTestId('landing-sign-up').click();
  await page.waitForURL('**/sign-up');
  await page.getByLabel('Name').fill(email.split('@')[0]!);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/chatbots');
}

async function me(page: Page): Promise<{ role: string; firstAccount?: boolean }> {
  const response = await page.request.get('/api/me');
  expect(response.status()).toBe(200);
  return (await response.json()) as { role: string; firstAccount?: boolean };
}

/** True when this server has publishing (issue 22): its public gallery answers. */
async function hasPublishing(page: Page) {
  return (await page.request.get('/api/public/gallery')).status() === 200;
}

async function expectNoOperatorText(page: Page, where: string) {
  const text = await page.locator('body').innerText();
  for (const pattern of OPERATOR_TEXT) expect(text, `${where} shows ${pattern}`).not.toMatch(pattern);
}

/** Nothing wider than the window (no sideways scrolling on a phone). */
async function expectNoOverflow(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

describe.each(viewports)('a newcomer on $name ($width×$height)', (viewport) => {
  it('goes from the landing page to a streamed code answer, and a second account is a normal user', async () => {
    server = await startOwnServer({
      name: `newcomer-${viewport.name}`,
      models: [{ id: 'chat-default' }, { id: 'prompt-helper' }],
      env: {},
    });

    // Landing: what the product is, in light and dark.
    const visitor = await openPage(viewport);
    const { page } = visitor;
    await page.goto('/');
    await page.getByTestId('landing').waitFor();
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.locator('[data-testid="landing-preview"] [data-streamed="true"]').waitFor();
    expect(await page.locator('[data-testid="landing-preview"] .preview__live pre code').count()).toBe(1);
    expect(await page.getByTestId('landing-gallery').count()).toBe(0); // nothing published yet
    await expectNoOverflow(page);
    await shot(page, `landing-${viewport.name}`);
    const dark = await openPage(viewport, 'dark');
    await dark.page.goto('/');
    await dark.page.locator('[data-testid="landing-preview"] [data-streamed="true"]').waitFor();
    await shot(dark.page, `landing-${viewport.name}-dark`);

    // The first account becomes the administrator and is told so, once.
    const adminEmail = 'ada@example.com'; // an empty instance each time: readable in the pictures
    await signUpFromLanding(page, adminEmail);
    expect(await me(page)).toMatchObject({ role: 'admin', firstAccount: true });
    const notice = page.getByTestId('first-admin-notice');
    await notice.waitFor();
    expect(await notice.innerText()).toContain(
      "You're the first account, so you are this server's administrator. The admin console is here:",
    );
    expect(await notice.getByRole('link').getAttribute('href')).toBe('/admin');

    // An empty list starts from templates, under the three-step guide.
    await page.getByTestId('template-picker').waitFor();
    await page.getByTestId('getting-started').waitFor();
    expect(await page.getByTestId('guide-step-create').getAttribute('data-done')).toBe('false');
    await expectNoOverflow(page);
    await shot(page, `templates-${viewport.name}`);
    await notice.getByTestId('first-admin-dismiss').click();
    await notice.waitFor({ state: 'detached' });
    await page.reload();
    await page.getByTestId('template-picker').waitFor();
    expect(await page.getByTestId('first-admin-notice').count()).toBe(0); // dismissed for good

    // A template opens the form prefilled; saving goes to the first chat, with questions to try.
    await page.getByTestId('template-code-reviewer').click();
    await page.waitForURL('**/chatbots/new?template=code-reviewer');
    await page.locator('#chatbot-model:not([disabled])').waitFor();
    expect(await page.getByLabel('Name').inputValue()).toBe('Code reviewer');
    expect(await page.getByLabel('System prompt').inputValue()).toContain('code review');
    expect(await page.locator('#chatbot-model').inputValue()).toBe('chat-default');
    await page.getByTestId('save-chatbot').click();
    await page.waitForURL(/\/chatbots\/[^/]+\/chat$/);
    const chatbotId = new URL(page.url()).pathname.split('/')[2]!;
    const chips = page.getByTestId('suggestion-chip');
    await chips.first().waitFor();
    expect(await chips.count()).toBe(3);

    // Its first suggested question asks for code: the answer streams in and holds a code block.
    const question = await chips.first().innerText();
    expect(question).toMatch(/^Show me a code example/);
    const answer = page.locator('[data-testid="messages"] .message--assistant').last();
    await page.evaluate(() => {
      // Counts how often the answer's text changes while it is written (a streamed answer changes often).
      const state = window as unknown as { answerUpdates: number };
      state.answerUpdates = 0;
      new MutationObserver(() => (state.answerUpdates += 1)).observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
      });
    });
    await chips.first().click();
    await answer.locator('pre code').first().waitFor();
    await page.locator('[data-testid="messages"][aria-busy="false"]').waitFor();
    await page.getByTestId('send').waitFor();
    expect(
      await page.evaluate(() => (window as unknown as { answerUpdates: number }).answerUpdates),
    ).toBeGreaterThan(5);
    expect(await page.locator('[data-testid="messages"] .message--user').first().innerText()).toContain(
      question,
    );
    expect(await page.getByTestId('suggested-questions').count()).toBe(0);
    if (viewport.name === 'desktop') {
      // The README's first picture: the question, then the answer's markdown and code.
      await page.getByTestId('message-pane').evaluate((pane) => pane.scrollTo({ top: 0 }));
      await shot(page, 'readme-chat');
    }

    // The guide ticks off what was done; sharing waits for publishing.
    await page.goto('/chatbots');
    await page.getByTestId('chatbot-card').waitFor();
    const guide = page.getByTestId('getting-started');
    await guide.waitFor();
    expect(await page.getByTestId('guide-step-create').getAttribute('data-done')).toBe('true');
    expect(await page.getByTestId('guide-step-chat').getAttribute('data-done')).toBe('true');
    const share = page.getByTestId('guide-step-share');
    const publishing = await hasPublishing(page);
    if (publishing) {
      expect(await share.getAttribute('data-done')).toBe('false');
      expect(await share.getByRole('link').getAttribute('href')).toBe(`/chatbots/${chatbotId}/publish`);
    } else {
      expect(await share.innerText()).toContain('Sharing is coming soon.');
    }
    await expectNoOverflow(page);
    await shot(page, `guide-${viewport.name}`);

    if (publishing) {
      // Share it: a link, listed in the gallery; the guide is done and goes away by itself.
      await share.getByRole('link').click();
      await page.getByTestId('publish-form').waitFor();
      await page.getByTestId('mode-link').check();
      await page.locator('#publish-slug').fill(`code-reviewer-${viewport.name}`);
      await page.getByTestId('in-gallery').check();
      await page.getByTestId('save-publication').click();
      await page.getByTestId('publication-saved').waitFor();
      const shareUrl = await page.locator('input[data-testid="share-url"]').inputValue();
      expect(shareUrl).toBe(`${server!.baseUrl}/c/code-reviewer-${viewport.name}`);
      await page.goto('/chatbots');
      await page.getByTestId('chatbot-card').waitFor();
      await expect.poll(() => page.getByTestId('getting-started').count()).toBe(0);

      // A signed-out visitor finds it in the landing page's gallery and opens its share page.
      const guest = await openPage(viewport);
      await guest.page.goto('/');
      const card = guest.page.getByTestId('gallery-card');
      await card.waitFor();
      expect(await card.innerText()).toContain('Code reviewer');
      await guest.page.locator('[data-testid="landing-preview"] [data-streamed="true"]').waitFor();
      await guest.page.getByTestId('landing-gallery').scrollIntoViewIfNeeded();
      await shot(guest.page, `landing-${viewport.name}-gallery`);
      await card.click();
      await guest.page.waitForURL(`**/c/code-reviewer-${viewport.name}`);
      expect(guest.errors).toEqual([]);
    } else {
      await page.getByTestId('guide-dismiss').click();
      await page.reload();
      await page.getByTestId('chatbot-card').waitFor();
      expect(await page.getByTestId('getting-started').count()).toBe(0);
    }
    await expectNoOperatorText(page, 'the admin’s list (after the notice was dismissed)');

    // A second account is a normal user: no notice, no admin link, no operator text anywhere.
    const second = await openPage(viewport);
    const userPage = second.page;
    await signUpFromLanding(userPage, 'grace@example.com');
    expect(await me(userPage)).toMatchObject({ role: 'user' });
    await userPage.getByTestId('template-picker').waitFor();
    expect(await userPage.getByTestId('first-admin-notice').count()).toBe(0);
    expect(await userPage.locator('a[href="/admin"]').count()).toBe(0);
    await expectNoOperatorText(userPage, 'the chatbot list');
    await userPage.getByTestId('template-tutor').click();
    await userPage.locator('#chatbot-model:not([disabled])').waitFor();
    await expectNoOperatorText(userPage, 'the new-chatbot form');
    await userPage.getByTestId('save-chatbot').click();
    await userPage.getByTestId('suggestion-chip').first().waitFor();
    await expectNoOperatorText(userPage, 'the first chat');
    for (const route of ['/usage', '/plan', '/account']) {
      await userPage.goto(route);
      await userPage.getByRole('heading', { level: 1 }).waitFor();
      await expectNoOperatorText(userPage, route);
    }
    await userPage.goto('/admin');
    await userPage.getByText('Page not found').waitFor();

    expect([...visitor.errors, ...dark.errors, ...second.errors]).toEqual([]);
  }, 120_000);
});

describe('sign-up by invite and closed sign-up (1280×800)', () => {
  const desktop = viewports[0];

  async function fillSignUp(page: Page, email: string) {
    await page.getByLabel('Name').fill(email.split('@')[0]!);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
  }

  it('SIGNUP=invite: the first account needs none, a link fills the invite in, a missing one is said', async () => {
    server = await startOwnServer({
      name: 'newcomer-invite',
      models: [{ id: 'chat-default' }],
      env: { SIGNUP: 'invite' },
    });
    const admin = await openPage(desktop);
    await admin.page.goto('/sign-up');
    // No account yet: the first one needs no invite, so none is asked for.
    await admin.page.getByLabel('Email').waitFor();
    expect(await admin.page.getByTestId('invite-field').count()).toBe(0);
    await fillSignUp(admin.page, 'ada@example.com');
    await admin.page.waitForURL('**/chatbots');
    expect(await me(admin.page)).toMatchObject({ role: 'admin', firstAccount: true });
    const created = await admin.page.request.post('/api/admin/invites', {
      data: { email: null, expiresInHours: 24 },
      headers: { origin: server!.baseUrl },
    });
    expect(created.status()).toBe(201);
    const { link } = (await created.json()) as { link: string };

    // No invite: the sentence before, and the server's sentence on the field after trying.
    const stranger = await openPage(desktop);
    await stranger.page.goto('/sign-up');
    expect(await stranger.page.getByTestId('invite-hint').innerText()).toContain(
      'Sign-up on this server is by invite.',
    );
    await fillSignUp(stranger.page, 'eve@example.com');
    await stranger.page.locator('#sign-up-invite[aria-invalid="true"]').waitFor();
    expect(await stranger.page.getByTestId('invite-hint').innerText()).toMatch(/invite/i);
    await stranger.page.getByLabel('Invite code').fill('not-a-real-code');
    await stranger.page.getByRole('button', { name: 'Create account' }).click();
    await expect
      .poll(() => stranger.page.getByTestId('invite-hint').innerText())
      .toMatch(/not valid|used|expired/i);
    expect(new URL(stranger.page.url()).pathname).toBe('/sign-up');

    // The invite link: the code is filled in; the account is a normal user.
    const invited = await openPage(desktop);
    await invited.page.goto(new URL(link).pathname + new URL(link).search);
    expect(await invited.page.getByLabel('Invite code').inputValue()).toBe(
      new URL(link).searchParams.get('invite'),
    );
    await fillSignUp(invited.page, 'grace@example.com');
    await invited.page.waitForURL('**/chatbots');
    expect(await me(invited.page)).toMatchObject({ role: 'user', firstAccount: false });
    await shot(stranger.page, 'signup-invite-desktop');
  }, 90_000);

  it('SIGNUP=closed: the sign-in page says so, with no way to a sign-up that would refuse', async () => {
    server = await startOwnServer({
      name: 'newcomer-closed',
      models: [{ id: 'chat-default' }],
      env: { SIGNUP: 'closed' },
    });
    // A fresh closed server still lets its first account (the administrator) sign up.
    const first = await openPage(desktop);
    await first.page.goto('/sign-up');
    await fillSignUp(first.page, 'ada@example.com');
    await first.page.waitForURL('**/chatbots');
    expect(await me(first.page)).toMatchObject({ role: 'admin', firstAccount: true });

    const visitor = await openPage(desktop);
    const { page } = visitor;
    await page.goto('/');
    await page.getByTestId('landing-signup-closed').waitFor();
    expect(await page.getByTestId('landing-sign-up').count()).toBe(0);
    await page.getByTestId('landing-sign-in').click();
    await page.waitForURL('**/sign-in');
    expect(await page.getByTestId('signup-closed').innerText()).toBe(
      'Sign-up is closed on this server; ask its administrator for an invite.',
    );
    expect(await page.locator('a[href^="/sign-up"]').count()).toBe(0);
    await shot(page, 'signin-closed-desktop');
    await page.goto('/sign-up');
    await page.getByTestId('signup-closed').waitFor();
    expect(await page.locator('form').count()).toBe(0);
    expect(visitor.errors).toEqual([]);
  }, 90_000);
});
