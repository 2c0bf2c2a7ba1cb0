import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ConversationWithMessages } from '@app/common';
import { createChatbot, launchBrowser, openPage, screenshot, signUp, uniqueEmail } from './support/browser';

/**
 * Issue 20: answers are runs. A reload mid-answer re-attaches and the same text goes on growing to
 * what the server stored; a second tab on the conversation sees the live answer and the new turn.
 */
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const composer = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });
const answers = (page: Page) => page.getByTestId('assistant-message');
const answerText = async (page: Page, index: number) =>
  (await answers(page).nth(index).locator('.markdown').textContent()) ?? '';

/** The server's record of the conversation, with the page's own session. */
async function stored(page: Page, conversationId: string): Promise<ConversationWithMessages> {
  const response = await page.request.get(`/api/conversations/${conversationId}`);
  expect(response.status()).toBe(200);
  return (await response.json()) as ConversationWithMessages;
}

async function openChat(page: Page, botName: string) {
  await page.goto('/chatbots');
  await page
    .getByTestId('chatbot-card')
    .filter({ hasText: botName })
    .getByRole('link', { name: 'Chat' })
    .click();
  await page.waitForURL(/\/chatbots\/[^/]+\/chat$/);
}

it('a reload mid-answer re-attaches: the text goes on growing and ends as the server stored it', async () => {
  const { page, errors } = await openPage(browser);
  await signUp(page, uniqueEmail('reload'));
  await createChatbot(page, { name: 'Live teller' });
  await openChat(page, 'Live teller');

  await composer(page).fill('Tell me a long story [[mock:slow=40,deltas=120]]');
  await page.getByTestId('send').click();
  await page.waitForURL(/\/chat\/[^/]+$/);
  const conversationId = page.url().split('/').at(-1)!;
  await page.waitForFunction(
    () =>
      (document.querySelector('[data-testid="assistant-message"] .markdown')?.textContent ?? '').length > 30,
  );
  const beforeReload = await answerText(page, 0);

  await page.reload();
  // The same answer, still being written, from where it stood.
  const answer = answers(page).first();
  await answer.and(page.locator('[data-status="streaming"]')).waitFor();
  await page.getByTestId('stop').waitFor(); // it can be stopped from here too
  await expect.poll(async () => (await answerText(page, 0)).length).toBeGreaterThan(beforeReload.length);
  expect((await answerText(page, 0)).startsWith(beforeReload.slice(0, 30))).toBe(true);
  await screenshot(page, 'live-reattached');
  await answer.and(page.locator('[data-status="complete"]')).waitFor({ timeout: 20_000 });
  const shown = await answerText(page, 0);

  // Never stopped by the reload: stored complete, and what the re-attached page built is it.
  const record = await stored(page, conversationId);
  expect(record.live).toBeNull();
  expect(record.messages.map((message) => message.status)).toEqual(['complete', 'complete']);
  await page.reload();
  await answers(page).first().and(page.locator('[data-status="complete"]')).waitFor();
  expect(await answerText(page, 0)).toBe(shown);
  expect(errors).toEqual([]);
  await page.context().close();
});

it('a second tab sees the live answer and every new turn', async () => {
  const { page: first, errors } = await openPage(browser);
  await signUp(first, uniqueEmail('tabs'));
  await createChatbot(first, { name: 'Two tabs' });
  await openChat(first, 'Two tabs');
  await composer(first).fill('Hello there');
  await first.getByTestId('send').click();
  await first.waitForURL(/\/chat\/[^/]+$/);
  await answers(first).first().and(first.locator('[data-status="complete"]')).waitFor();
  const url = first.url();

  // Tab B: the same user (same cookies), the same conversation.
  const second = await first.context().newPage();
  second.on('pageerror', (error) => errors.push(error.message));
  await second.goto(url);
  await answers(second).first().and(second.locator('[data-status="complete"]')).waitFor();

  await composer(first).fill('And a slow one [[mock:slow=40,deltas=60]]');
  await first.getByTestId('send').click();
  // Tab B shows A's question, then the answer while it is written, then its end.
  await second.getByTestId('user-message').nth(1).getByText('And a slow one').waitFor();
  await answers(second).nth(1).and(second.locator('[data-status="streaming"]')).waitFor();
  await expect.poll(async () => (await answerText(second, 1)).length).toBeGreaterThan(10);
  await screenshot(second, 'live-second-tab');
  await answers(second).nth(1).and(second.locator('[data-status="complete"]')).waitFor({ timeout: 20_000 });
  await answers(first).nth(1).and(first.locator('[data-status="complete"]')).waitFor();
  expect(await answerText(second, 1)).toBe(await answerText(first, 1));

  // And the other way round: B sends, A sees it.
  await composer(second).fill('From tab B');
  await second.getByTestId('send').click();
  await first.getByTestId('user-message').nth(2).getByText('From tab B').waitFor();
  await answers(first).nth(2).and(first.locator('[data-status="complete"]')).waitFor({ timeout: 20_000 });
  expect(await answerText(first, 2)).toBe(await answerText(second, 2));
  expect(await first.getByTestId('user-message').count()).toBe(3);
  expect(errors).toEqual([]);
  await first.context().close();
});
