import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { inject } from 'vitest';

const artifactsDir = fileURLToPath(new URL('../artifacts/', import.meta.url));
const adminCli = fileURLToPath(new URL('../../../server/dist/admin.js', import.meta.url));

export const baseUrl = () => inject('baseUrl');

/** Chromium for the tests; `extraArgs` adds switches (e.g. --test-third-party-cookie-phaseout). */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-quic',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

export interface TrackedPage {
  page: Page;
  /** Dialogs (alert/confirm/prompt) the page opened that the test did not expect. */
  dialogs: string[];
  /** Uncaught errors and console errors, to explain a failure. */
  errors: string[];
}

/** A fresh context (own cookies) on the app under test. Confirms `confirm()` dialogs it is told to. */
export async function openPage(
  browser: Browser,
  options: { acceptConfirms?: boolean } = {},
): Promise<TrackedPage> {
  const context = await browser.newContext({ baseURL: baseUrl(), viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const tracked: TrackedPage = { page, dialogs: [], errors: [] };
  page.on('dialog', (dialog) => {
    if (options.acceptConfirms && dialog.type() === 'confirm') {
      void dialog.accept();
      return;
    }
    tracked.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => tracked.errors.push(error.message));
  return tracked;
}

let counter = 0;
export const uniqueEmail = (prefix: string) =>
  `${prefix}-${Date.now().toString(36)}-${process.pid}-${++counter}@example.com`;

export async function signUp(page: Page, email: string, password = 'correct horse battery') {
  await page.goto('/sign-up');
  await page.getByLabel('Name').fill(email.split('@')[0] ?? 'Tester');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/chatbots');
  await page.getByTestId('user-email').getByText(email).waitFor();
}

/** Runs the admin CLI against the running server (it goes through the server when the DB is locked). */
export async function setPlan(email: string, plan: string): Promise<string> {
  const env = { ...process.env, ...inject('serverEnv') };
  const { stdout } = await promisify(execFile)(process.execPath, [adminCli, 'set-plan', email, plan], {
    env,
    cwd: env.DATA_DIR,
  });
  return stdout;
}

/** Fills the new-chatbot form once the model list has loaded, and saves it. */
export async function createChatbot(page: Page, input: { name: string; description?: string }) {
  await page.goto('/chatbots/new');
  await waitForModels(page);
  await page.getByLabel('Name').fill(input.name);
  if (input.description) await page.getByLabel('Description').fill(input.description);
  await page.getByTestId('save-chatbot').click();
  await page.waitForURL('**/chatbots');
  await page.getByTestId('chatbot-card').filter({ hasText: input.name }).waitFor();
}

export async function waitForModels(page: Page) {
  await page.locator('#chatbot-model:not([disabled])').waitFor();
}

export async function screenshot(page: Page, name: string) {
  mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: path.join(artifactsDir, `${name}.png`), fullPage: true });
}
