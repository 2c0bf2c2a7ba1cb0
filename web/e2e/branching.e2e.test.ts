import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { baseUrl, launchBrowser, signUp, uniqueEmail } from './support/browser';

/**
 * Issue 20 (decision 0009): editing a sent message makes a branch, regenerating an answer makes a
 * version, `< 1/2 >` switches between them, and all of it is stored: a reload shows the same
 * branch and the same switchers. Desktop and phone widths.
 */
const screenshots = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const artifacts = fileURLToPath(new URL('./artifacts/', import.meta.url));

/** Screenshots go to the artifacts; with UPDATE_SCREENSHOTS=1 to docs/screenshots as well. */
async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${artifacts}${name}.png`, animations: 'disabled' });
  if (process.env.UPDATE_SCREENSHOTS) {
    await page.screenshot({ path: `${screenshots}${name}.png`, animations: 'disabled' });
  }
}
const viewports = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'mobile', width: 390, height: 844 },
] as const;

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
  mkdirSync(artifacts, { recursive: true });
  if (process.env.UPDATE_SCREENSHOTS) mkdirSync(screenshots, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

const questions = (page: Page) => page.getByTestId('user-message');
const answers = (page: Page) => page.getByTestId('assistant-message');
const answerText = async (page: Page, index: number) =>
  (await answers(page).nth(index).locator('.markdown').textContent()) ?? '';
const versionOf = (page: Page, kind: 'user' | 'assistant', index: number) =>
  (kind === 'user' ? questions(page) : answers(page)).nth(index).getByTestId('version-count');
const completeAnswer = (page: Page, index: number) =>
  answers(page).nth(index).and(page.locator('[data-status="complete"]')).waitFor({ timeout: 20_000 });

async function session(
  viewport: (typeof viewports)[number],
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    baseURL: baseUrl(),
    viewport: { width: 1280, height: 800 },
    deviceScaleFactor: 1,
    hasTouch: viewport.name === 'mobile',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await signUp(page, uniqueEmail(`branches-${viewport.name}`));
  await page.setViewportSize({ width: viewport.width, height: viewport.height });
  return { context, page, errors };
}

/** A chatbot and a conversation of two turns, made through the API. */
async function seed(page: Page): Promise<{ chatbotId: string; conversationId: string }> {
  const headers = { origin: baseUrl() };
  const bot = await page.request.post('/api/chatbots', {
    headers,
    data: { name: 'Brancher', model: 'chat-default' },
  });
  expect(bot.status()).toBe(201);
  const chatbotId = ((await bot.json()) as { id: string }).id;
  let conversationId: string | undefined;
  // Keywords pick the mock's kind of answer: a story, then (edited) a table, so versions differ.
  for (const message of ['Hello there', 'Tell me a story']) {
    const response = await page.request.post(`/api/chatbots/${chatbotId}/chat`, {
      headers: { ...headers, accept: 'application/json' },
      data: conversationId ? { message, conversationId } : { message },
    });
    expect(response.status(), await response.text()).toBe(200);
    conversationId = ((await response.json()) as { conversationId: string }).conversationId;
  }
  return { chatbotId, conversationId: conversationId! };
}

describe.each(viewports)('branches at $name ($width×$height)', (viewport) => {
  it('edit → 2/2, back to 1/2 shows the old answer, regenerate → 2/2, and a reload keeps both', async () => {
    const { context, page, errors } = await session(viewport);
    const { chatbotId, conversationId } = await seed(page);
    await page.goto(`/chatbots/${chatbotId}/chat/${conversationId}`);
    await completeAnswer(page, 1);
    const oldAnswer = await answerText(page, 1);
    // One version each: no switcher yet.
    expect(await page.getByTestId('version-switcher').count()).toBe(0);

    // Edit the second question in place; Escape cancels, Save & send sends.
    await questions(page).nth(1).getByTestId('edit-message').click();
    const field = page.getByTestId('edit-field');
    await expect.poll(() => field.inputValue()).toBe('Tell me a story');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('message-editor').count()).toBe(0);
    await questions(page).nth(1).getByTestId('edit-message').click();
    await field.fill('Compare tea versus coffee');
    // The editor is brought into the pane's view; the page itself never scrolls.
    expect(await page.evaluate(() => document.scrollingElement?.scrollTop ?? 0)).toBe(0);
    await shot(page, `chat-branches-edit-${viewport.name}`);
    await page.getByTestId('edit-save').click();
    await completeAnswer(page, 1);
    await expect.poll(() => versionOf(page, 'user', 1).textContent()).toBe('2/2');
    await answers(page).nth(1).locator('table').waitFor(); // the answer to the new question
    expect(await answerText(page, 1)).not.toBe(oldAnswer);
    expect(await questions(page).nth(1).getByTestId('user-text').textContent()).toContain(
      'tea versus coffee',
    );

    // Version 1 of the question: the old question and its old answer.
    await questions(page).nth(1).getByRole('button', { name: 'Previous version' }).click();
    await expect.poll(() => versionOf(page, 'user', 1).textContent()).toBe('1/2');
    await expect.poll(() => answerText(page, 1)).toBe(oldAnswer);

    // Regenerate that answer: a second version of it, the first kept.
    await answers(page).nth(1).getByTestId('regenerate').click();
    await completeAnswer(page, 1);
    await expect.poll(() => versionOf(page, 'assistant', 1).textContent()).toBe('2/2');

    // Stored: a reload shows the same branch with both switchers and the same texts.
    await page.reload();
    await completeAnswer(page, 1);
    await expect.poll(() => versionOf(page, 'user', 1).textContent()).toBe('1/2');
    await expect.poll(() => versionOf(page, 'assistant', 1).textContent()).toBe('2/2');
    expect(await questions(page).nth(1).getByTestId('user-text').textContent()).toContain('Tell me a story');
    const stored = (await (await page.request.get(`/api/conversations/${conversationId}`)).json()) as {
      messages: Array<{ content: string; siblingIndex: number; siblingCount: number }>;
    };
    expect(stored.messages.map((message) => `${message.siblingIndex + 1}/${message.siblingCount}`)).toEqual([
      '1/1',
      '1/1',
      '1/2',
      '2/2',
    ]);
    expect(await answers(page).nth(1).locator('.markdown').innerText()).toBeTruthy();
    expect(await questions(page).nth(1).getByTestId('user-text').textContent()).toContain(
      stored.messages[2]!.content,
    );
    await shot(page, `chat-branches-${viewport.name}`);

    // The keyboard reaches the switcher: back to the first version of the answer.
    const previous = answers(page).nth(1).getByRole('button', { name: 'Previous version' });
    await previous.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => versionOf(page, 'assistant', 1).textContent()).toBe('1/2');
    await expect.poll(() => answerText(page, 1)).toBe(oldAnswer);

    // Any answer, not only the last: regenerating the first drops the later turns from view.
    await answers(page).nth(0).getByTestId('regenerate').click();
    await completeAnswer(page, 0);
    await expect.poll(() => versionOf(page, 'assistant', 0).textContent()).toBe('2/2');
    expect(await questions(page).count()).toBe(1);
    await answers(page).nth(0).getByRole('button', { name: 'Previous version' }).click();
    await expect.poll(() => questions(page).count()).toBe(2);
    expect(errors).toEqual([]);
    await context.close();
  });
});
