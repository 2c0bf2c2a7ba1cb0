import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, uniqueEmail } from './support/browser';
import { startOwnServer, type OwnServer } from './support/own-server';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const SHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'mobile', width: 390, height: 844 },
] as const;

let server: OwnServer;
let browser: Browser;

beforeAll(async () => {
  server = await startOwnServer({
    name: 'plan-admin',
    models: ['chat-default', 'reasoning-default', 'gemini-default', 'steady-default', 'prompt-helper'].map(
      (id) => ({ id }),
    ),
    env: {
      LITELLM_CONFIG_PATH: fixture('litellm.capabilities.yaml'),
      LLM_PLAN_MODELS_FILE: fixture('plans.admin.yaml'),
    },
  });
  // The first account of a server is its administrator (issue 25): an operator takes that place, so
  // every account the tests make is a normal user until setRole says otherwise.
  const operator = await fetch(`${server.baseUrl}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.baseUrl },
    body: JSON.stringify({
      email: 'operator@example.com',
      password: 'operator password 1',
      name: 'Operator',
    }),
  });
  if (!operator.ok) throw new Error(`operator sign-up: HTTP ${operator.status}`);
  browser = await launchBrowser();
  mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function newUser(prefix: string, viewport: { width: number; height: number }) {
  const context = await browser.newContext({
    baseURL: server.baseUrl,
    viewport: { width: 1280, height: 800 },
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const email = uniqueEmail(prefix);
  await page.goto('/sign-up');
  await page.getByLabel('Name').fill(prefix);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/chatbots');
  await page.setViewportSize(viewport);
  return { page, email, errors };
}

/** A same-origin JSON call from the page (its cookie), as the SPA makes them. */
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
      return response.json();
    },
    [method, url, body] as const,
  ) as Promise<T>;
}

async function enabledModels(page: Page) {
  const models = await call<Array<{ id: string; locked?: boolean; availability?: string }>>(
    page,
    'GET',
    '/api/llm/models',
  );
  return models.filter((model) => !model.locked).map((model) => model.id);
}

async function noSidewaysScroll(page: Page) {
  const widths = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    view: window.innerWidth,
  }));
  const widest = await page.evaluate(() =>
    [...document.querySelectorAll('body *')]
      .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(0, 3)
      .map((element) => `${element.tagName}.${element.className}`),
  );
  expect(widths.scroll, `wider than the viewport: ${widest.join(', ')}`).toBeLessThanOrEqual(widths.view);
}

for (const viewport of VIEWPORTS) {
  it(`plan page gauges match /api/usage; an admin changes the plan in the console and the user's models and limits follow (${viewport.name})`, async () => {
    const user = await newUser(`planner-${viewport.name}`, viewport);
    await server.setPlan(user.email, 'basic');
    // Some usage this month: one chat turn on a chatbot.
    const chatbot = await call<{ id: string }>(user.page, 'POST', '/api/chatbots', { name: 'Gauge bot' });
    await call(user.page, 'POST', `/api/chatbots/${chatbot.id}/chat`, { message: 'Hello there' });

    await user.page.goto('/plan');
    await user.page.getByTestId('plan-name').getByText('Basic').waitFor();
    const usage = await call<{ totals: { promptTokens: number; completionTokens: number; costUsd: number } }>(
      user.page,
      'GET',
      '/api/usage',
    );
    const tokens = usage.totals.promptTokens + usage.totals.completionTokens;
    expect(tokens).toBeGreaterThan(0);
    const tokenGauge = user.page.getByTestId('gauge-tokens').getByRole('meter');
    expect(Number(await tokenGauge.getAttribute('aria-valuenow'))).toBe(tokens);
    expect(await tokenGauge.getAttribute('aria-valuemax')).toBe('100000');
    const spendGauge = user.page.getByTestId('gauge-spend').getByRole('meter');
    expect(Number(await spendGauge.getAttribute('aria-valuenow'))).toBeCloseTo(usage.totals.costUsd, 6);
    expect(await user.page.getByTestId('plan-limits').textContent()).toContain('Requests per minute20');
    expect(await user.page.getByTestId('higher-plan').first().textContent()).toContain('Adds');
    expect(await user.page.getByTestId('plan-upgrade').getByRole('link').getAttribute('href')).toBe(
      'https://example.com/pricing',
    );
    await noSidewaysScroll(user.page);
    await user.page.screenshot({ path: `${SHOTS}plan-${viewport.name}.png`, fullPage: true });
    expect(await enabledModels(user.page)).toEqual(['chat-default']);

    // The administrator.
    const admin = await newUser(`admin-${viewport.name}`, viewport);
    await server.setRole(admin.email, 'admin');
    await admin.page.goto('/admin');
    await admin.page.waitForURL('**/admin/users');
    await admin.page.getByLabel('Search users').fill(user.email);
    const row = admin.page.locator(`[data-email="${user.email}"]`);
    await row.waitFor();
    await expect.poll(() => admin.page.locator('.admin-user').count()).toBe(1);
    await row.getByTestId('admin-user-plan').selectOption('pro');
    await admin.page.getByRole('status').getByText(`${user.email}: plan Pro.`).waitFor();
    await noSidewaysScroll(admin.page);
    await admin.page.screenshot({ path: `${SHOTS}admin-users-${viewport.name}.png`, fullPage: true });
    await admin.page.getByRole('link', { name: 'Audit log' }).click();
    await admin.page.getByTestId('admin-audit').getByText('plan Basic → Pro').first().waitFor();
    await admin.page.screenshot({ path: `${SHOTS}admin-audit-${viewport.name}.png`, fullPage: true });
    await admin.page.getByRole('link', { name: 'Plans', exact: true }).click();
    await admin.page.getByTestId('admin-plans').waitFor();
    await noSidewaysScroll(admin.page);
    await admin.page.screenshot({ path: `${SHOTS}admin-plans-${viewport.name}.png`, fullPage: true });
    await admin.page.getByRole('link', { name: 'Models', exact: true }).click();
    await admin.page.getByTestId('admin-models').getByText('gemini-default').waitFor();
    await noSidewaysScroll(admin.page);
    await admin.page.screenshot({ path: `${SHOTS}admin-models-${viewport.name}.png`, fullPage: true });

    // The user sees it without a reload of the server.
    expect((await enabledModels(user.page)).sort()).toEqual(['chat-default', 'gemini-default']);
    await user.page.reload();
    await user.page.getByTestId('plan-name').getByText('Pro').waitFor();
    expect(await user.page.getByTestId('gauge-tokens').getByRole('meter').getAttribute('aria-valuemax')).toBe(
      '5000000',
    );

    // A normal user gets "Page not found" for the console.
    await user.page.goto('/admin/users');
    await user.page.getByRole('heading', { name: 'Page not found' }).waitFor();
    expect(user.errors).toEqual([]);
    expect(admin.errors).toEqual([]);
    await user.page.context().close();
    await admin.page.context().close();
  });
}
