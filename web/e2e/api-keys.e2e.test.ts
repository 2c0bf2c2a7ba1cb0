import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
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

for (const viewport of VIEWPORTS) {
  it(`creates a key, shows its secret once, lists it, calls /v1 with it and revokes it (${viewport.name})`, async () => {
    const { page, errors } = await openPage(browser);
    await signUp(page, uniqueEmail(`keys-${viewport.name}`));
    await page.setViewportSize({ width: viewport.width, height: viewport.height });
    await page.evaluate(async () => {
      for (const name of ['Support bot', 'Sales bot']) {
        await fetch('/api/chatbots', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name }),
        });
      }
    });

    await page.goto('/chatbots');
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByTestId('api-key-form').waitFor();
    expect(await page.getByTestId('no-keys').textContent()).toContain('No API keys yet');

    // Errors stay on their fields.
    await page.getByTestId('create-key').click();
    await page.locator('#key-name-error').waitFor();
    await page.getByTestId('key-name').fill('Website backend');
    await page.getByTestId('scope-some').check();
    await page.getByTestId('scope-bot-support-bot').check();
    await page.getByTestId('key-cap').fill('abc');
    await page.getByTestId('create-key').click();
    await page.locator('#key-monthlySpendCapUsd-error').waitFor();
    await page.getByTestId('key-cap').fill('5');
    await page.getByTestId('key-rpm').fill('30');
    if (viewport.name === 'desktop')
      await page.screenshot({ path: `${SHOTS}api-keys-form-${viewport.name}.png` });
    await page.getByTestId('create-key').click();

    // Shown once, with Copy and the warning.
    const secretField = page.getByTestId('key-secret-value');
    await secretField.waitFor();
    const secret = await secretField.inputValue();
    expect(secret).toMatch(/^cbk_[A-Za-z0-9_-]{40,}$/);
    expect(await page.getByTestId('key-secret').textContent()).toContain('only time it is shown');
    await page.screenshot({ path: `${SHOTS}api-keys-secret-${viewport.name}.png`, fullPage: true });

    // The key works on /v1 (bearer, no cookie needed) and reaches only its chatbot.
    const models = await page.evaluate(async (key) => {
      const response = await fetch('/v1/models', {
        headers: { authorization: `Bearer ${key}` },
        credentials: 'omit',
      });
      return (await response.json()) as { data: Array<{ id: string }> };
    }, secret);
    expect(models.data.map((model) => model.id)).toEqual(['support-bot']);

    await page.getByTestId('key-secret-done').click();
    await page.getByTestId('key-list').waitFor();
    const listed = await page.getByTestId('key-list').textContent();
    expect(listed).toContain('Website backend');
    expect(listed).toContain(secret.slice(0, 12));
    expect(listed).not.toContain(secret);
    expect(listed).toContain('Support bot');
    expect(await page.content()).not.toContain(secret);
    // After a reload the secret is gone for good.
    await page.reload();
    await page.getByTestId('key-list').waitFor();
    expect(await page.content()).not.toContain(secret);
    await page.getByTestId('api-panel-slug').waitFor();
    const widths = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      view: window.innerWidth,
    }));
    expect(widths.scroll).toBeLessThanOrEqual(widths.view);
    await page.screenshot({ path: `${SHOTS}api-keys-list-${viewport.name}.png`, fullPage: true });

    // A call with the key shows on the Usage page, by key.
    const answered = await page.evaluate(async (key) => {
      const response = await fetch('/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        credentials: 'omit',
        body: JSON.stringify({ model: 'support-bot', messages: [{ role: 'user', content: 'Hello' }] }),
      });
      return response.status;
    }, secret);
    expect(answered).toBe(200);
    await page.goto('/usage');
    await page.getByText('By API key').waitFor();
    await page.getByRole('rowheader', { name: /Website backend/ }).waitFor();
    await page.getByRole('heading', { name: 'By API key' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}api-keys-usage-${viewport.name}.png` });
    await page.goto('/api-keys');
    await page.getByTestId('key-list').waitFor();

    // Revoke asks first, then the key fails at once.
    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByTestId('revoke-dialog').waitFor();
    await page.screenshot({ path: `${SHOTS}api-keys-revoke-${viewport.name}.png` });
    await page.getByTestId('confirm-revoke').click();
    await page.getByText('Revoked', { exact: true }).waitFor();
    const status = await page.evaluate(async (key) => {
      const response = await fetch(`${location.origin}/v1/models`, {
        headers: { authorization: `Bearer ${key}` },
        credentials: 'omit',
      });
      return response.status;
    }, secret);
    expect(status).toBe(401);
    expect(errors).toEqual([]);
  });
}
