import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, openPage, screenshot, signUp, uniqueEmail, waitForModels } from './support/browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

it('generates a prompt, streams an answer, stops mid-answer, and finds it all again after a reload', async () => {
  const { page, errors } = await openPage(browser);
  await signUp(page, uniqueEmail('chat'));

  // Generate a system prompt from the description.
  await page.goto('/chatbots/new');
  await waitForModels(page);
  await page.getByLabel('Name').fill('Story teller');
  await page.getByLabel('Description').fill('Tells short bedtime stories for children');
  await page.getByTestId('generate-prompt').click();
  await page.getByText('Prompt written by').waitFor();
  const systemPrompt = await page.getByLabel('System prompt').inputValue();
  expect(systemPrompt.length).toBeGreaterThan(20);
  await page.getByTestId('save-chatbot').click();
  await page.waitForURL('**/chatbots');

  // A complete streamed answer.
  await page
    .getByTestId('chatbot-card')
    .filter({ hasText: 'Story teller' })
    .getByRole('link', { name: 'Chat' })
    .click();
  await page.waitForURL(/\/chatbots\/[^/]+\/chat$/);
  await page.getByRole('textbox', { name: 'Message', exact: true }).fill('Hello there');
  await page.getByTestId('send').click();
  await page.waitForURL(/\/chat\/[^/]+$/);
  const first = page.getByTestId('assistant-message').first();
  await first.and(page.locator('[data-status="complete"]')).waitFor();
  expect(await first.textContent()).toContain('Hello there');
  await screenshot(page, 'chat-complete');

  // A slow answer, stopped after a few words.
  await page
    .getByRole('textbox', { name: 'Message', exact: true })
    .fill('Tell me a long story [[mock:slow=200,deltas=100]]');
  await page.getByTestId('send').click();
  const second = page.getByTestId('assistant-message').nth(1);
  await page.waitForFunction(
    () =>
      (document.querySelectorAll('[data-testid="assistant-message"] .markdown')[1]?.textContent ?? '')
        .length > 20,
  );
  await page.getByTestId('stop').click();
  await second.and(page.locator('[data-status="stopped"]')).waitFor();
  await page.getByTestId('send').waitFor(); // the composer is back
  const partial = (await second.locator('.markdown').textContent()) ?? '';
  expect(partial.length).toBeGreaterThan(20);
  await screenshot(page, 'chat-stopped');
  const conversationUrl = page.url();

  // The server kept the conversation and the partial answer.
  await page.reload();
  expect(page.url()).toBe(conversationUrl);
  const reloaded = page.getByTestId('assistant-message').nth(1);
  await reloaded.and(page.locator('[data-status="stopped"]')).waitFor();
  const stored = (await reloaded.locator('.markdown').textContent()) ?? '';
  // The server may have stored a few more words than the browser had shown when Stop was pressed.
  expect(stored.startsWith(partial.slice(0, 20))).toBe(true);
  expect(stored.length).toBeLessThan(2000);
  await page.getByTestId('status-stopped').waitFor();
  expect(await page.getByTestId('user-message').count()).toBe(2);
  expect(await page.getByTestId('conversation-link').count()).toBe(1);
  expect(await page.getByTestId('conversation-link').first().getAttribute('aria-current')).toBe('page');
  expect(errors).toEqual([]);
  await screenshot(page, 'chat-reloaded');

  // Regenerate replaces the stopped answer (the same slow question, so stop it again).
  await page.getByTestId('regenerate').last().click();
  await page.getByTestId('assistant-message').nth(1).and(page.locator('[data-status="streaming"]')).waitFor();
  await page.getByTestId('stop').click();
  await page.getByTestId('assistant-message').nth(1).and(page.locator('[data-status="stopped"]')).waitFor();
  expect(await page.getByTestId('assistant-message').count()).toBe(2);

  await page.goto('/usage');
  await page.getByTestId('usage-totals').waitFor();
  await screenshot(page, 'usage');
  await page.context().close();
});
