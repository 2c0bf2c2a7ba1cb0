import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage, signUp, uniqueEmail } from './support/browser';

const screenshots = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'mobile', width: 390, height: 844 },
] as const;

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
  mkdirSync(screenshots, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

async function noSidewaysScroll(page: Page) {
  const widest = await page.evaluate(() =>
    [...document.querySelectorAll('body *')]
      .map((element) => ({
        tag: `${element.tagName}.${element.className}`,
        right: element.getBoundingClientRect().right,
      }))
      .filter((entry) => entry.right > window.innerWidth)
      .slice(0, 5),
  );
  const widths = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    view: window.innerWidth,
  }));
  expect(widths.scroll, `page wider than the viewport: ${JSON.stringify(widest)}`).toBeLessThanOrEqual(
    widths.view,
  );
}

async function signInWith(page: Page, email: string, password: string) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

for (const viewport of VIEWPORTS) {
  it(`renames, changes the password and deletes the account (${viewport.name} ${viewport.width}×${viewport.height})`, async () => {
    const { page, dialogs, errors } = await openPage(browser);
    const email = uniqueEmail(`account-${viewport.name}`);
    await signUp(page, email);
    await page.setViewportSize({ width: viewport.width, height: viewport.height });
    await page.getByRole('link', { name: 'Account', exact: true }).click();
    await page.waitForURL('**/account');
    await page.getByRole('heading', { name: 'Account', exact: true }).waitFor();
    await page.screenshot({ path: `${screenshots}account-${viewport.name}.png`, fullPage: true });
    await noSidewaysScroll(page);

    // A name that is only spaces is refused with a sentence under the field.
    await page.getByLabel('Name').fill('   ');
    await page.getByRole('button', { name: 'Save name' }).click();
    await page.getByText('Enter your name.').waitFor();
    await page.getByLabel('Name').fill('Grace Hopper');
    await page.getByRole('button', { name: 'Save name' }).click();
    await page.getByRole('status').getByText('Saved.').waitFor();
    await page.getByText('Signed in as Grace Hopper').waitFor();

    // Email: a malformed address and a wrong password are field messages.
    await page.getByLabel('New email address').fill('not-an-address');
    await page.getByRole('button', { name: 'Change email' }).click();
    await page.getByText('Enter a valid email address.').waitFor();
    await page.getByLabel('New email address').fill(`new-${email}`);
    await page.locator('#account-email-password').fill('wrong password');
    await page.getByRole('button', { name: 'Change email' }).click();
    await page.getByText('That is not your current password.').waitFor();

    await page.screenshot({ path: `${screenshots}account-${viewport.name}.png`, fullPage: true });

    // Password change.
    await page.locator('#account-current-password').fill('correct horse battery');
    await page.locator('#account-new-password').fill('short');
    await page.locator('#account-confirm-password').fill('short');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('The new password must be at least 8 characters.').waitFor();
    await page.locator('#account-new-password').fill('a new passphrase');
    await page.locator('#account-confirm-password').fill('a new passphrase');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed.', { exact: false }).waitFor();
    await page.reload();
    await page.getByText('Signed in as Grace Hopper').waitFor();

    // Deletion: our dialog, the typed phrase, the password.
    await page.getByRole('button', { name: 'Delete my account…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    const confirm = dialog.getByRole('button', { name: 'Delete account' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel('Type “delete my account”').fill('delete my account');
    await dialog.getByLabel('Password').fill('a new passphrase');
    await page.screenshot({ path: `${screenshots}account-delete-${viewport.name}.png` });
    await confirm.click();
    await page.waitForURL('**/sign-in**');

    await signInWith(page, email, 'a new passphrase');
    await page.getByRole('alert').waitFor();
    expect(page.url()).toContain('/sign-in');
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });
}
