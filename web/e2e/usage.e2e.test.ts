import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage, signUp, uniqueEmail } from './support/browser';

const SHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'mobile', width: 390, height: 844 },
] as const;

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
  mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

function call<T>(page: Page, method: string, url: string, body?: unknown): Promise<T> {
  return page.evaluate(
    async ([method, url, body]) => {
      const response = await fetch(url as string, {
        method: method as string,
        headers:
          body === undefined
            ? { accept: 'application/json' }
            : { 'content-type': 'application/json', accept: 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return response.status === 204 ? null : response.json();
    },
    [method, url, body] as const,
  ) as Promise<T>;
}

for (const viewport of VIEWPORTS) {
  it(`shows model labels, a daily chart, a month picker and deleted chatbots without a link (${viewport.name})`, async () => {
    const { page, errors } = await openPage(browser);
    await signUp(page, uniqueEmail(`usage-${viewport.name}`));
    const kept = await call<{ id: string; model: string }>(page, 'POST', '/api/chatbots', {
      name: 'Kept bot',
    });
    const gone = await call<{ id: string }>(page, 'POST', '/api/chatbots', { name: 'Gone bot' });
    await call(page, 'POST', `/api/chatbots/${kept.id}/chat`, { message: 'Hello' });
    await call(page, 'POST', `/api/chatbots/${gone.id}/chat`, { message: 'Hello' });
    await call(page, 'DELETE', `/api/chatbots/${gone.id}`);
    const models = await call<Array<{ id: string; label: string }>>(page, 'GET', '/api/llm/models');
    const label = models.find((model) => model.id === kept.model)!.label;

    await page.setViewportSize({ width: viewport.width, height: viewport.height });
    await page.goto('/usage');
    await page.getByTestId('usage-totals').waitFor();
    await page.getByRole('rowheader', { name: label }).waitFor();
    expect(await page.getByRole('rowheader', { name: kept.model, exact: true }).count()).toBe(
      label === kept.model ? 1 : 0,
    );
    await page.getByRole('link', { name: 'Kept bot' }).waitFor();
    const deleted = page.getByTestId('usage-deleted-chatbot');
    expect(await deleted.textContent()).toBe('Deleted chatbot');
    expect(await deleted.evaluate((element) => element.closest('a'))).toBeNull();
    expect(await page.getByTestId('usage-chart-summary').textContent()).toContain('1 day with usage');
    expect(await page.locator('canvas').count()).toBe(1);
    const widths = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      view: window.innerWidth,
    }));
    expect(widths.scroll).toBeLessThanOrEqual(widths.view);
    await page.screenshot({ path: `${SHOTS}usage-${viewport.name}.png`, fullPage: true });

    // The deleted chatbot's own address: one clear state, nothing to type into.
    await page.goto(`/chatbots/${gone.id}/chat`);
    await page.getByRole('heading', { name: 'This chatbot was deleted' }).waitFor();
    expect(await page.getByRole('textbox').count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}chatbot-deleted-${viewport.name}.png` });
    await page.goto('/usage');
    await page.getByTestId('usage-totals').waitFor();

    // The month before: nothing, and the address says which month.
    const options = await page
      .getByTestId('usage-month')
      .locator('option')
      .evaluateAll((all) => (all as HTMLOptionElement[]).map((option) => option.value));
    await page.getByTestId('usage-month').selectOption(options[1]!);
    await page.waitForURL(`**/usage?month=${options[1]}`);
    await page.getByText('No chatbot was used this month.').waitFor();
    expect(errors).toEqual([]);
    await page.context().close();
  });
}
