import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import { mountAt } from '../components/onboarding/onboarding-test-kit';
import { suggestionsFor } from '../components/onboarding/suggested-questions';
import TemplatePicker from '../components/onboarding/TemplatePicker.vue';
import { findTemplate } from '../templates/chatbot-templates';
import { json } from '../test-support/fake-fetch';
import { chatbot } from '../test-support/fixtures';
import ChatbotNewPage from './ChatbotNewPage.vue';

const value = (wrapper: Awaited<ReturnType<typeof mountAt>>['wrapper'], selector: string) =>
  (wrapper.find(selector).element as HTMLInputElement).value;

describe('a new chatbot from a template or a description', () => {
  beforeEach(() => localStorage.clear());
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  it('?template= opens the form prefilled, on a model the plan allows; saving opens the first chat', async () => {
    const tutor = findTemplate('tutor')!;
    const { wrapper, router, fake } = await mountAt(ChatbotNewPage, {
      path: '/chatbots/new?template=tutor',
      routes: { 'POST /api/chatbots': () => json({ ...chatbot, id: 'b9' }, 201) },
    });
    expect(value(wrapper, '#chatbot-name')).toBe('Patient tutor');
    expect(value(wrapper, '#chatbot-description')).toBe(tutor.description);
    expect(value(wrapper, '#chatbot-systemPrompt')).toBe(tutor.systemPrompt);
    expect(value(wrapper, '#chatbot-model')).toBe('chat-default');
    expect(wrapper.find('[data-testid="template-note"]').text()).toContain('“Patient tutor” template');

    await wrapper.find('form').trigger('submit');
    await flushPromises();
    const body = fake.calls.find((call) => call.method === 'POST' && call.path === '/api/chatbots')?.body;
    expect(body).toMatchObject({
      name: 'Patient tutor',
      model: 'chat-default',
      temperature: tutor.temperature,
    });
    expect(router.currentRoute.value.fullPath).toBe('/chatbots/b9/chat');
    expect(suggestionsFor('b9')).toEqual(tutor.suggestions);
  });

  it('without a template: the empty form, and saving goes back to the list', async () => {
    const { wrapper } = await mountAt(ChatbotNewPage, { path: '/chatbots/new?template=unknown' });
    expect(value(wrapper, '#chatbot-name')).toBe('');
    expect(wrapper.find('[data-testid="template-note"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="template-links"] a').attributes('href')).toBe(
      '/chatbots/new?template=support-agent',
    );
  });

  it('a one-line description: the prompt generator writes the prompt, the form opens with it', async () => {
    const picker = await mountAt(TemplatePicker, {
      path: '/chatbots',
      routes: {
        'POST /api/prompts/generate': () =>
          json({ systemPrompt: 'You help hotel guests.', model: 'prompt-helper' }),
      },
    });
    await picker.wrapper.find('#describe-bot').setValue('helps hotel guests find restaurants');
    await picker.wrapper.find('form').trigger('submit');
    await flushPromises();
    const generate = picker.fake.calls.find((call) => call.path === '/api/prompts/generate');
    expect(generate?.body).toEqual({ description: 'helps hotel guests find restaurants' });
    expect(picker.router.currentRoute.value.name).toBe('chatbot-new');

    const page = await mountAt(ChatbotNewPage, { path: '/chatbots/new' });
    expect(value(page.wrapper, '#chatbot-name')).toBe('Helps hotel guests find restaurants');
    expect(value(page.wrapper, '#chatbot-systemPrompt')).toBe('You help hotel guests.');
    expect(page.wrapper.find('[data-testid="template-note"]').text()).toContain(
      'written from your description',
    );
  });

  it('a description the generator cannot handle: the reason under the field', async () => {
    const { wrapper } = await mountAt(TemplatePicker, {
      path: '/chatbots',
      routes: {
        'POST /api/prompts/generate': () =>
          json({ error: { code: 'unavailable', message: 'The prompt model is unavailable.' } }, 503),
      },
    });
    await wrapper.find('#describe-bot').setValue('a pirate poet');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(wrapper.find('#describe-bot-error').text()).toContain('Could not write a system prompt.');
    expect(wrapper.find('#describe-bot').attributes('aria-invalid')).toBe('true');
  });

  it('lists every template as a link to the prefilled form', async () => {
    const { wrapper } = await mountAt(TemplatePicker, { path: '/chatbots' });
    expect(wrapper.find('[data-testid="template-code-reviewer"]').attributes('href')).toBe(
      '/chatbots/new?template=code-reviewer',
    );
  });
});
