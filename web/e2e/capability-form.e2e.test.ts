import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, signUp, uniqueEmail, waitForModels } from './support/browser';
import { startOwnServer, type OwnServer } from './support/own-server';

// Its own server: a catalog with capability fields and a plan that cuts answers at 512 tokens.
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const SHOTS = process.env.E2E_SHOTS_DIR ?? '/tmp/shots';

const DESKTOP = { width: 1280, height: 800 };
const MOBILE = { width: 390, height: 844 };

let server: OwnServer;
let browser: Browser;

beforeAll(async () => {
  server = await startOwnServer({
    name: 'capabilities',
    // Served by the mock; offline-default is configured but not served.
    models: ['chat-default', 'reasoning-default', 'gemini-default', 'steady-default', 'prompt-helper'].map(
      (id) => ({ id }),
    ),
    env: {
      LITELLM_CONFIG_PATH: fixture('litellm.capabilities.yaml'),
      LLM_PLAN_MODELS_FILE: fixture('plans.capabilities.yaml'),
      CHATBOT_MAX_TOKENS_CEILING: '8192',
    },
  });
  browser = await launchBrowser();
  mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openAs(plan: string, viewport: { width: number; height: number }): Promise<Page> {
  // Signed up at desktop width (the header shows the email there, which signUp waits for).
  const context = await browser.newContext({ baseURL: server.baseUrl, viewport: DESKTOP });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const email = uniqueEmail(`cap-${plan}`);
  await signUp(page, email);
  await server.setPlan(email, plan);
  await page.setViewportSize(viewport);
  await page.goto('/chatbots/new');
  await waitForModels(page);
  return page;
}

const model = (page: Page) => page.locator('#chatbot-model');
const hint = (page: Page) => page.locator('#chatbot-maxTokens-hint');

/** Nothing wider than the viewport (no sideways scrolling on a phone). */
async function expectNoOverflow(page: Page) {
  const widths = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
    wide: [...document.querySelectorAll('form *')]
      .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 0.5)
      .map((element) => `${element.tagName.toLowerCase()}#${element.id}.${element.className}`),
  }));
  expect(widths.wide).toEqual([]);
  expect(widths.page).toBeLessThanOrEqual(widths.viewport);
}

it('a reasoning model: effort instead of temperature, the real limits, health and price (desktop)', async () => {
  const page = await openAs('basic', DESKTOP);
  // GPT-4.1 mini: temperature, no effort; 32,768 for the model but 8,192 on this server; basic cuts at 512.
  await expect.poll(() => hint(page).textContent()).toContain('At most 8,192 tokens for this model.');
  expect(await hint(page).textContent()).toContain('Your plan answers with at most 512 tokens.');
  expect(await page.locator('#chatbot-temperature').count()).toBe(1);
  expect(await page.locator('#chatbot-reasoningEffort').count()).toBe(0);

  await model(page).selectOption('reasoning-default');
  await page.locator('#chatbot-reasoningEffort').waitFor();
  expect(await page.locator('#chatbot-temperature').count()).toBe(0);
  expect(await page.getByTestId('temperature-unsupported').textContent()).toContain(
    'sets its own temperature',
  );
  expect(await page.locator('#chatbot-reasoningEffort option').allTextContents()).toEqual([
    'Model default',
    'Low',
    'Medium',
    'High',
  ]);
  const details = page.getByTestId('model-details');
  expect(await details.getByTestId('model-health').textContent()).toBe('Served by the proxy');
  expect(await details.getByTestId('model-capability').allTextContents()).toEqual([
    'Reasoning',
    'Vision',
    'Tools',
  ]);
  expect(await details.getByTestId('model-price').textContent()).toBe(
    '≈ $0.0011 in / $0.0044 out per 1K tokens',
  );
  expect(await hint(page).textContent()).toContain('At most 8,192 tokens for this model.');
  await page.screenshot({ path: `${SHOTS}/capability-form-desktop.png`, fullPage: true });

  // The form refuses what the server would, in the server's words.
  await page.getByLabel('Name').fill('Deep thinker');
  await page.locator('#chatbot-maxTokens').fill('20000');
  await page.getByTestId('save-chatbot').click();
  expect(await page.locator('#chatbot-maxTokens-error').textContent()).toBe(
    'Max tokens must be at most 8,192 for this model.',
  );
  await page.screenshot({ path: `${SHOTS}/capability-form-error-desktop.png`, fullPage: true });
  // …and so does the server, worded the same, without a variable name.
  const refused = await page.request.post('/api/chatbots', {
    data: { name: 'Direct', model: 'reasoning-default', maxTokens: 20000 },
    headers: { origin: server.baseUrl },
  });
  expect(refused.status()).toBe(400);
  expect((await refused.json()).error).toMatchObject({
    message: 'Max tokens must be at most 8,192 for this model.',
    details: { field: 'maxTokens', max: 8192 },
  });

  await page.locator('#chatbot-maxTokens').fill('2000');
  await page.locator('#chatbot-reasoningEffort').selectOption('high');
  await page.getByTestId('save-chatbot').click();
  await page.waitForURL('**/chatbots');
  const saved = (await (await page.request.get('/api/chatbots')).json()) as Array<Record<string, unknown>>;
  expect(saved[0]).toMatchObject({
    name: 'Deep thinker',
    model: 'reasoning-default',
    maxTokens: 2000,
    reasoningEffort: 'high',
  });

  // A turn sends reasoning_effort, no temperature, and the plan's 512.
  const id = saved[0]!.id as string;
  const answer = await page.request.post(`/api/chatbots/${id}/chat`, {
    data: { message: 'Hello' },
    headers: { origin: server.baseUrl, accept: 'application/json' },
  });
  expect(answer.status()).toBe(200);
  const sent = server.mock.requests.filter((request) => request.path.endsWith('/chat/completions')).at(-1)
    ?.body as Record<string, unknown>;
  expect(sent).toMatchObject({ model: 'reasoning-default', reasoning_effort: 'high', max_tokens: 512 });
  expect(sent).not.toHaveProperty('temperature');
  await page.context().close();
});

it('a model without temperature, one with its own effort list, and one the proxy does not serve', async () => {
  const page = await openAs('pro', DESKTOP);
  const formWidth = async () => (await page.locator('form.chatbot-form').boundingBox())!.width;
  const width = await formWidth();
  // Pro does not cut answers: no plan sentence.
  await expect.poll(() => hint(page).textContent()).toContain('At most 8,192 tokens for this model.');
  expect(await page.getByTestId('plan-clamp').count()).toBe(0);

  await model(page).selectOption('steady-default');
  await page.getByTestId('temperature-unsupported').waitFor();
  expect(await page.locator('#chatbot-temperature').count()).toBe(0);
  expect(await page.locator('#chatbot-reasoningEffort').count()).toBe(0);
  expect(await hint(page).textContent()).toContain('At most 8,191 tokens for this model.');

  await model(page).selectOption('gemini-default');
  await page.locator('#chatbot-reasoningEffort').waitFor();
  expect(await page.locator('#chatbot-temperature').count()).toBe(1);
  expect(await page.locator('#chatbot-reasoningEffort option').allTextContents()).toEqual([
    'Model default',
    'Low',
    'High',
  ]);
  // With an effort chosen the temperature is not sent (Claude refuses one while it thinks): said so.
  await page.locator('#chatbot-reasoningEffort').selectOption('high');
  await page.getByTestId('temperature-with-effort').waitFor();
  expect(await page.locator('#chatbot-temperature').count()).toBe(0);
  await page.screenshot({ path: `${SHOTS}/capability-form-pro-desktop.png`, fullPage: true });

  // Switching models changes the fields, not the width of the form.
  expect(await formWidth()).toBe(width);

  const offline = page.locator('#chatbot-model option[value="offline-default"]');
  expect(await offline.textContent()).toContain('not served right now');
  expect(await offline.isDisabled()).toBe(true);
  await page.context().close();
});

it('the same form on a phone: one column, nothing wider than the screen (390×844)', async () => {
  const page = await openAs('basic', MOBILE);
  await model(page).selectOption('reasoning-default');
  await page.locator('#chatbot-reasoningEffort').waitFor();
  await page.getByLabel('Name').fill('Phone thinker');
  await expectNoOverflow(page);
  const [effort, maxTokens] = await Promise.all([
    page.locator('#chatbot-reasoningEffort').boundingBox(),
    page.locator('#chatbot-maxTokens').boundingBox(),
  ]);
  // Stacked, not side by side.
  expect(maxTokens!.y).toBeGreaterThan(effort!.y + effort!.height);
  await page.screenshot({ path: `${SHOTS}/capability-form-mobile.png`, fullPage: true });
  await page.context().close();
});
