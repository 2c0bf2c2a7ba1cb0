import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { baseUrl, launchBrowser, signUp, uniqueEmail } from './support/browser';

/**
 * Issue 20: the chat screen is an app shell at every size. The header stays, the message pane
 * scrolls by itself and follows the answer, the composer is always in view, the document never
 * scrolls; the mobile drawer closes every way and never covers the header; conversations can be
 * renamed, searched and deleted; Escape stops, ArrowUp recalls; a sign-out reaches the other tabs.
 */

const viewports = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'wide', width: 1920, height: 1080 },
  { name: 'mobile', width: 390, height: 844 },
] as const;
type Viewport = (typeof viewports)[number];

const artifactsDir = fileURLToPath(new URL('./artifacts/', import.meta.url));
const docsScreenshots = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

interface Session {
  context: BrowserContext;
  page: Page;
  errors: string[];
  email: string;
}

async function newSession(viewport: Viewport, prefix: string): Promise<Session> {
  const isMobile = viewport.name === 'mobile';
  // Signed up at a desktop size (the helper checks the header's e-mail, hidden on phones), then resized.
  const context = await browser.newContext({
    baseURL: baseUrl(),
    viewport: { width: 1280, height: 800 },
    deviceScaleFactor: 1,
    hasTouch: isMobile,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const email = uniqueEmail(`${prefix}-${viewport.name}`);
  await signUp(page, email);
  await page.setViewportSize({ width: viewport.width, height: viewport.height });
  return { context, page, errors, email };
}

async function createBot(page: Page, name: string): Promise<string> {
  const response = await page.request.post('/api/chatbots', {
    headers: { origin: baseUrl() },
    data: { name, description: 'Answers questions about anything, at length.', model: 'chat-default' },
  });
  expect(response.status()).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

/** Turns through the API (one conversation), so the browser opens a long conversation at once. */
async function seedTurns(page: Page, chatbotId: string, messages: string[]): Promise<string> {
  let conversationId: string | undefined;
  for (const message of messages) {
    const response = await page.request.post(`/api/chatbots/${chatbotId}/chat`, {
      headers: { origin: baseUrl(), accept: 'application/json' },
      data: conversationId ? { message, conversationId } : { message },
    });
    expect(response.status(), await response.text()).toBe(200);
    conversationId = ((await response.json()) as { conversationId: string }).conversationId;
  }
  return conversationId as string;
}

const composer = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });

interface LayoutFacts {
  viewport: { width: number; height: number };
  /** How far the document itself can scroll (0: it cannot). */
  documentOverflow: number;
  header: { top: number; bottom: number };
  composer: { top: number; bottom: number };
  pane: { top: number; bottom: number; scrollHeight: number; clientHeight: number; distanceToBottom: number };
  /** The last line box of the last answer's text. */
  lastLine: { top: number; bottom: number } | null;
}

function layoutFacts(page: Page): Promise<LayoutFacts> {
  return page.evaluate(() => {
    const box = (element: Element) => {
      const rect = element.getBoundingClientRect();
      return { top: rect.top, bottom: rect.bottom };
    };
    const pane = document.querySelector('[data-testid="message-pane"]') as HTMLElement;
    const form = (document.querySelector('#chat-input') as HTMLElement).closest('form') as HTMLElement;
    const bubbles = document.querySelectorAll('[data-testid="assistant-message"] .message__bubble');
    const last = bubbles[bubbles.length - 1];
    let lastLine: { top: number; bottom: number } | null = null;
    if (last) {
      const range = document.createRange();
      range.selectNodeContents(last);
      const rects = [...range.getClientRects()].filter((rect) => rect.height > 0);
      const rect = rects[rects.length - 1];
      if (rect) lastLine = { top: rect.top, bottom: rect.bottom };
    }
    const scrolling = document.scrollingElement as HTMLElement;
    return {
      viewport: { width: window.innerWidth, height: window.innerHeight },
      documentOverflow: scrolling.scrollHeight - scrolling.clientHeight,
      header: box(document.querySelector('.app__top') as Element),
      composer: box(form),
      pane: {
        ...box(pane),
        scrollHeight: pane.scrollHeight,
        clientHeight: pane.clientHeight,
        distanceToBottom: pane.scrollHeight - pane.scrollTop - pane.clientHeight,
      },
      lastLine,
    };
  });
}

function expectShell(facts: LayoutFacts) {
  expect(facts.documentOverflow, 'the document must not scroll').toBeLessThanOrEqual(0);
  expect(facts.header.top).toBeGreaterThanOrEqual(0);
  expect(facts.composer.top).toBeGreaterThanOrEqual(facts.pane.bottom - 1);
  expect(facts.composer.bottom, 'the composer is inside the viewport').toBeLessThanOrEqual(
    facts.viewport.height,
  );
  expect(facts.pane.top).toBeGreaterThanOrEqual(facts.header.bottom - 1);
}

/** Waits until the streaming answer has at least `chars` characters. */
async function waitForAnswerLength(page: Page, chars: number) {
  await page.waitForFunction((min) => {
    const answers = document.querySelectorAll('[data-testid="assistant-message"]');
    return (answers[answers.length - 1]?.textContent ?? '').length >= min;
  }, chars);
}

async function shoot(page: Page, name: string, alsoDocs = false) {
  mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: path.join(artifactsDir, `${name}.png`), animations: 'disabled' });
  if (alsoDocs && process.env.UPDATE_SCREENSHOTS) {
    mkdirSync(docsScreenshots, { recursive: true });
    await page.screenshot({ path: path.join(docsScreenshots, `${name}.png`), animations: 'disabled' });
  }
}

const screenshotName = { desktop: 'chat-desktop', wide: 'chat-wide', mobile: 'chat-mobile' } as const;

describe.each(viewports)('chat layout at $width×$height', (viewport) => {
  it('after 10 turns: the pane scrolls (not the page), follows the answer, "Jump to latest" works, Escape stops, ArrowUp recalls', async () => {
    const { context, page, errors } = await newSession(viewport, 'layout');
    const chatbotId = await createBot(page, 'Layout tester');
    const questions = Array.from(
      { length: 9 },
      (_, index) => `Question number ${index + 1}: tell me something`,
    );
    const conversationId = await seedTurns(page, chatbotId, questions);
    await page.goto(`/chatbots/${chatbotId}/chat/${conversationId}`);
    await page.getByTestId('assistant-message').nth(8).waitFor();

    // Opened at its end, with the composer in view and focused (not on touch screens).
    let facts = await layoutFacts(page);
    expectShell(facts);
    expect(facts.pane.scrollHeight).toBeGreaterThan(facts.pane.clientHeight);
    expect(facts.pane.distanceToBottom).toBeLessThanOrEqual(48);
    if (viewport.name !== 'mobile') {
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('chat-input');
    }

    // Turn 10: a long, slow answer. While it streams, its last line stays in view.
    await composer(page).fill('The tenth question [[mock:slow=25,deltas=1200]]');
    await composer(page).press('Enter');
    await page.getByTestId('stop').waitFor();
    await waitForAnswerLength(page, 1500);
    facts = await layoutFacts(page);
    expectShell(facts);
    expect(facts.lastLine).not.toBeNull();
    expect(facts.lastLine!.bottom, 'the last line of the streaming answer is visible').toBeLessThanOrEqual(
      facts.pane.bottom + 1,
    );
    expect(facts.lastLine!.top).toBeGreaterThanOrEqual(facts.pane.top);
    expect(facts.pane.distanceToBottom).toBeLessThanOrEqual(48);
    await expect.poll(() => page.getByTestId('stop').isVisible()).toBe(true);
    const composerWhileStreaming = facts.composer;
    await shoot(page, `${screenshotName[viewport.name]}-streaming`);

    // Scrolling up leaves the reader there: the answer grows below, "Jump to latest" appears.
    const pane = page.getByTestId('message-pane');
    await pane.hover();
    await page.mouse.wheel(0, -900);
    await page.getByTestId('jump-to-latest').waitFor();
    const scrolledTo = await pane.evaluate((element) => element.scrollTop);
    await waitForAnswerLength(page, 2500);
    facts = await layoutFacts(page);
    expect(facts.pane.distanceToBottom).toBeGreaterThan(200);
    expect(Math.abs((await pane.evaluate((element) => element.scrollTop)) - scrolledTo)).toBeLessThan(2);
    expect(facts.documentOverflow).toBeLessThanOrEqual(0);

    await page.getByTestId('jump-to-latest').click();
    await expect.poll(async () => (await layoutFacts(page)).pane.distanceToBottom).toBeLessThanOrEqual(48);
    await page.getByTestId('jump-to-latest').waitFor({ state: 'detached' });
    // …and it follows again.
    await waitForAnswerLength(page, 3200);
    expect((await layoutFacts(page)).pane.distanceToBottom).toBeLessThanOrEqual(48);

    // Escape stops the answer (from the composer, where focus is after typing).
    await composer(page).focus();
    await page.keyboard.press('Escape');
    const last = page.getByTestId('assistant-message').last();
    await last.and(page.locator('[data-status="stopped"]')).waitFor();
    await page.getByTestId('send').waitFor();
    facts = await layoutFacts(page);
    expectShell(facts);
    expect(facts.pane.distanceToBottom).toBeLessThanOrEqual(48);
    // No layout shift: Send and Stop take the same room, the composer did not move or resize.
    expect(facts.composer).toEqual(composerWhileStreaming);

    // ArrowUp in the empty composer recalls the last message.
    await composer(page).focus();
    expect(await composer(page).inputValue()).toBe('');
    await page.keyboard.press('ArrowUp');
    expect(await composer(page).inputValue()).toBe('The tenth question [[mock:slow=25,deltas=1200]]');
    await composer(page).fill('');

    // Regenerate keeps the header where it is (the page never scrolls).
    await page.getByTestId('regenerate').last().click();
    await page.getByTestId('stop').waitFor();
    await waitForAnswerLength(page, 200);
    facts = await layoutFacts(page);
    expectShell(facts);
    expect(facts.header.top).toBe(0);
    await page.getByTestId('stop').click();
    await last.and(page.locator('[data-status="stopped"]')).waitFor();
    // Focus came back to the composer, not to <body>, when the Stop button went away.
    if (viewport.name !== 'mobile') {
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('chat-input');
    }

    // Per-answer details: model, tokens, cost, time to first token.
    const meta = page.getByTestId('answer-meta').first();
    expect(await meta.getByTestId('meta-model').textContent()).toContain('GPT-4.1 mini');
    expect(await meta.getByTestId('meta-tokens').textContent()).toMatch(/\d+ tokens/);
    expect(await meta.getByTestId('meta-ttft').textContent()).toMatch(/first token \d/);

    // A plain conversation for the screenshot: a few turns, the last one sent here, at its end.
    const tidy = await seedTurns(page, chatbotId, [
      'How do I run this on my laptop?',
      'Does it need a database?',
    ]);
    await page.goto(`/chatbots/${chatbotId}/chat/${tidy}`);
    await page.getByTestId('assistant-message').nth(1).waitFor();
    await composer(page).fill('Show me how to start the server');
    await composer(page).press('Enter');
    await page
      .getByTestId('assistant-message')
      .nth(2)
      .and(page.locator('[data-status="complete"]'))
      .waitFor();
    await page.mouse.move(0, 0);
    facts = await layoutFacts(page);
    expectShell(facts);
    expect(facts.pane.distanceToBottom).toBeLessThanOrEqual(48);
    await shoot(page, screenshotName[viewport.name], true);

    // Whatever the header's height (a demo banner, a wrapped header): the shell still fits.
    await page.addStyleTag({ content: '.app-header { padding-bottom: 140px !important; }' });
    await expect.poll(async () => (await layoutFacts(page)).header.bottom).toBeGreaterThan(150);
    expectShell(await layoutFacts(page));

    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('the conversation drawer (390×844)', () => {
  it('opens and closes by its button, Escape and a tap outside, traps focus, returns it, never covers the header', async () => {
    const { context, page, errors } = await newSession(viewports[2], 'drawer');
    const chatbotId = await createBot(page, 'Drawer tester');
    for (const topic of ['Packing list for Lisbon', 'Sourdough starter', 'Tax forms']) {
      await seedTurns(page, chatbotId, [topic]);
    }
    await page.goto(`/chatbots/${chatbotId}/chat`);
    const toggle = page.getByTestId('drawer-toggle');
    const drawer = page.locator('.drawer[role="dialog"]');
    const headerBox = async () => (await page.locator('.app__top').boundingBox())!;

    // The sidebar is not shown on a phone; the toggle opens the drawer under the header.
    expect(await page.locator('.chat-page__sidebar').count()).toBe(0);
    await toggle.click();
    await drawer.waitFor();
    await page.getByTestId('conversation-link').first().waitFor();
    const header = await headerBox();
    const drawerBox = (await drawer.boundingBox())!;
    expect(drawerBox.y).toBeGreaterThanOrEqual(header.y + header.height - 1);
    expect(drawerBox.y + drawerBox.height).toBeLessThanOrEqual(844 + 1);
    // Neither the drawer nor its dimmed backdrop reaches the header (Sign out stays visible).
    const overlay = (await page.getByTestId('drawer-overlay').boundingBox())!;
    expect(overlay.y).toBeGreaterThanOrEqual(header.y + header.height - 1);
    // (While the drawer is open the rest of the page is hidden from screen readers: no role query.)
    const signOutButton = page.locator('.app-header button', { hasText: 'Sign out' });
    const signOut = (await signOutButton.boundingBox())!;
    expect(signOut.y + signOut.height).toBeLessThanOrEqual(overlay.y);
    expect(await signOutButton.isVisible()).toBe(true);
    await page.screenshot({
      path: path.join(artifactsDir, 'chat-mobile-drawer.png'),
      animations: 'disabled',
    });
    if (process.env.UPDATE_SCREENSHOTS) {
      mkdirSync(docsScreenshots, { recursive: true });
      await page.screenshot({
        path: path.join(docsScreenshots, 'chat-mobile-drawer.png'),
        animations: 'disabled',
      });
    }

    // Focus is inside and stays inside: Tab around the whole drawer and more.
    for (let step = 0; step < 14; step++) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => !!document.activeElement?.closest('.drawer[role="dialog"]'))).toBe(
        true,
      );
    }

    // Escape closes it and focus returns to the toggle.
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(
      'drawer-toggle',
    );

    // The close button.
    await toggle.click();
    await drawer.waitFor();
    await page.getByTestId('drawer-close').click();
    await drawer.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(
      'drawer-toggle',
    );

    // A tap outside: on the dimmed chat right of the drawer (at most 86 % wide), a touch, not a click.
    await toggle.click();
    await drawer.waitFor();
    await page.touchscreen.tap(375, 600);
    await drawer.waitFor({ state: 'detached' });

    // Picking a conversation opens it and closes the drawer.
    await toggle.click();
    await page.getByTestId('conversation-link').filter({ hasText: 'Sourdough starter' }).click();
    await drawer.waitFor({ state: 'detached' });
    await page.waitForURL(/\/chat\/[^/]+$/);
    await page.getByTestId('user-message').filter({ hasText: 'Sourdough starter' }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('conversations: rename, search, delete (1280×800)', () => {
  it('renames inline, finds by title and by text with a snippet, deletes after a confirmation', async () => {
    const { context, page, errors } = await newSession(viewports[0], 'manage');
    const chatbotId = await createBot(page, 'Library');
    const first = await seedTurns(page, chatbotId, ['Packing list for Lisbon']);
    await seedTurns(page, chatbotId, ['## Sourdough **starter** tips']);
    await seedTurns(page, chatbotId, ['Tax forms']);
    await page.goto(`/chatbots/${chatbotId}/chat/${first}`);
    const links = page.getByTestId('conversation-link');
    await links.nth(2).waitFor();
    // Titles read like titles: the markdown of the first message is gone.
    expect(await links.allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('Sourdough starter tips')]),
    );

    // Rename from the item's menu; Enter saves; the toolbar shows the new title.
    const item = page.getByTestId('conversation-item').filter({ hasText: 'Packing list for Lisbon' });
    await item.getByTestId('conversation-actions').click();
    await page.getByTestId('rename-conversation').click();
    const input = page.getByTestId('rename-input');
    await input.waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(
      'rename-input',
    );
    await input.fill('Trip to Portugal');
    await input.press('Enter');
    await links.filter({ hasText: 'Trip to Portugal' }).waitFor();
    await page.getByTestId('chat-subtitle').filter({ hasText: 'Trip to Portugal' }).waitFor();
    // An empty title is refused at the field, in words.
    await page
      .getByTestId('conversation-item')
      .filter({ hasText: 'Tax forms' })
      .getByTestId('conversation-actions')
      .click();
    await page.getByTestId('rename-conversation').click();
    await input.fill('   ');
    await input.press('Enter');
    expect(await page.getByRole('alert').filter({ hasText: 'Give the conversation a title.' }).count()).toBe(
      1,
    );
    await input.press('Escape');
    await input.waitFor({ state: 'detached' });
    // The rename survives a reload.
    await page.reload();
    await links.filter({ hasText: 'Trip to Portugal' }).waitFor();

    // Search by title…
    const search = page.getByTestId('conversation-search');
    await search.fill('portugal');
    await expect.poll(() => links.count()).toBe(1);
    expect(await links.first().locator('mark').textContent()).toBe('Portugal');
    // …and by message text (each of these demo answers suggests something to try).
    await search.fill('try');
    await expect.poll(() => links.count()).toBe(3);
    expect(await page.getByTestId('conversation-snippet').first().textContent()).toMatch(/try/i);
    await search.fill('no such words anywhere');
    await page.getByTestId('conversations-empty').filter({ hasText: 'No conversation mentions' }).waitFor();
    await search.press('Escape');
    await expect.poll(() => links.count()).toBe(3);

    // Delete with a confirmation dialog; the open one goes back to a new chat.
    const renamed = page.getByTestId('conversation-item').filter({ hasText: 'Trip to Portugal' });
    await renamed.getByTestId('conversation-actions').click();
    await page.getByTestId('delete-conversation').click();
    await page.getByTestId('delete-dialog').waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByTestId('delete-dialog').waitFor({ state: 'detached' });
    expect(await links.count()).toBe(3);
    await renamed.getByTestId('conversation-actions').click();
    await page.getByTestId('delete-conversation').click();
    await page.getByTestId('confirm-delete').click();
    await expect.poll(() => links.count()).toBe(2);
    await page.waitForURL(/\/chat$/);

    // Export the open conversation (Markdown, then JSON) from the toolbar.
    await links.filter({ hasText: 'Tax forms' }).click();
    await page.getByTestId('user-message').filter({ hasText: 'Tax forms' }).waitFor();
    await page.getByTestId('chat-actions').click();
    const [markdown] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-markdown').click(),
    ]);
    expect(markdown.suggestedFilename()).toBe('tax-forms.md');
    await page.getByTestId('chat-actions').click();
    const [json] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-json').click(),
    ]);
    expect(json.suggestedFilename()).toBe('tax-forms.json');
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('long messages (1280×800)', () => {
  it('a long question collapses with "Show more"; the counter appears near the limit', async () => {
    const { context, page, errors } = await newSession(viewports[0], 'long');
    const chatbotId = await createBot(page, 'Patient reader');
    const long = Array.from({ length: 30 }, (_, index) => `Line ${index + 1} of a long question.`).join('\n');
    const conversationId = await seedTurns(page, chatbotId, [long]);
    await page.goto(`/chatbots/${chatbotId}/chat/${conversationId}`);
    const text = page.getByTestId('user-text').first();
    await text.waitFor();
    const more = page.getByTestId('show-more');
    await more.waitFor();
    expect(await more.getAttribute('aria-expanded')).toBe('false');
    const collapsed = (await text.boundingBox())!.height;
    expect(collapsed).toBeLessThan(250);
    await more.click();
    expect(await more.getAttribute('aria-expanded')).toBe('true');
    expect(await more.textContent()).toContain('Show less');
    expect((await text.boundingBox())!.height).toBeGreaterThan(collapsed * 2);
    expectShell(await layoutFacts(page));

    // The counter shows from 80 % of the longest message on, and is read with the field.
    expect(await page.getByTestId('char-counter').count()).toBe(0);
    await composer(page).fill('x'.repeat(80_000));
    expect(await page.getByTestId('char-counter').textContent()).toContain('80,000 / 100,000');
    expect(await composer(page).getAttribute('aria-describedby')).toContain('chat-input-counter');
    expectShell(await layoutFacts(page)); // a full composer still leaves the page as it was
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('the session across tabs', () => {
  it('signing out in tab A sends tab B to sign-in at once; a 401 anywhere says "You were signed out"', async () => {
    const { context, page: tabA, errors } = await newSession(viewports[0], 'tabs');
    const chatbotId = await createBot(tabA, 'Two tabs');
    const tabB = await context.newPage();
    await tabB.goto(`/chatbots/${chatbotId}/chat`);
    await composer(tabB).waitFor();

    await tabA.getByRole('button', { name: 'Sign out' }).click();
    await tabA.waitForURL('**/sign-in');
    // Tab B did nothing, and is on sign-in already, told why, with the way back kept.
    await tabB.waitForURL(/\/sign-in\?redirect=/);
    await tabB.getByTestId('signed-out-notice').filter({ hasText: 'You were signed out' }).waitFor();
    expect(decodeURIComponent(tabB.url())).toContain(`/chatbots/${chatbotId}/chat`);

    await tabB.close();

    // A session that ends on the server (cookies gone): the next request's 401 goes to sign-in.
    const viewport = viewports[0];
    const other = await newSession(viewport, 'expired');
    const otherBot = await createBot(other.page, 'Expiring');
    await other.page.goto(`/chatbots/${otherBot}/chat`);
    await composer(other.page).waitFor();
    await other.context.clearCookies();
    await composer(other.page).fill('Are you still there?');
    await composer(other.page).press('Enter');
    await other.page.waitForURL(/\/sign-in\?redirect=/);
    await other.page.getByTestId('signed-out-notice').filter({ hasText: 'You were signed out' }).waitFor();
    expect(await other.page.getByText('Something went wrong while answering').count()).toBe(0);
    // Sign in again: back to the chat it came from.
    await other.page.getByLabel('Email').fill(other.email);
    await other.page.getByLabel('Password').fill('correct horse battery');
    await other.page.getByRole('button', { name: 'Sign in' }).click();
    await other.page.waitForURL(`**/chatbots/${otherBot}/chat`);
    expect(errors).toEqual([]);
    expect(other.errors).toEqual([]);
    await other.context.close();
    await context.close();
  });
});

describe('errors in words, on their field', () => {
  it('a refused sign-up e-mail is said under the e-mail field, without a schema path', async () => {
    const context = await browser.newContext({ baseURL: baseUrl(), viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto('/sign-up');
    await page.getByLabel('Email').fill('not-an-email@');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    const fieldError = page.locator('#sign-up-email-error');
    await fieldError.waitFor();
    const text = (await fieldError.textContent())?.trim() ?? '';
    expect(text.length).toBeGreaterThan(5);
    expect(text).not.toMatch(/^email:/);
    expect(await page.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Email').getAttribute('aria-describedby')).toBe('sign-up-email-error');
    await context.close();
  });
});
