import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { ApiError } from '../api';
import ChatbotForm from './ChatbotForm.vue';
import { resetServerInfo } from '../composables/use-server-info';
import { apiError, createFakeFetch, json, type FakeHandler } from '../test-support/fake-fetch';
import { chatbot, models, serverInfo } from '../test-support/fixtures';

function setup(props: Record<string, unknown> = {}, routes: Record<string, FakeHandler> = {}) {
  const fake = createFakeFetch({
    'GET /api/llm/models': () => json(models),
    'GET /api/config': () => json(serverInfo),
    ...routes,
  });
  vi.stubGlobal('fetch', fake.fetch);
  const wrapper = mount(ChatbotForm, {
    props,
    attachTo: document.body,
    global: { stubs: { RouterLink: { template: '<a><slot /></a>' } } },
  });
  return { wrapper, fake };
}

describe('ChatbotForm', () => {
  beforeEach(() => resetServerInfo());
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  it('refuses to submit without a name and says why', async () => {
    const { wrapper } = setup();
    await flushPromises();
    await wrapper.find('form').trigger('submit');
    expect(wrapper.emitted('submit')).toBeUndefined();
    expect(wrapper.find('#chatbot-name-error').text()).toBe('Name is required');
    expect(wrapper.find('#chatbot-name').attributes('aria-invalid')).toBe('true');
    expect(document.activeElement?.id).toBe('chatbot-name');

    await wrapper.find('#chatbot-name').setValue('Helper');
    expect(wrapper.find('#chatbot-name-error').exists()).toBe(false);
  });

  it('submits the payload of a new chatbot', async () => {
    const { wrapper } = setup();
    await flushPromises();
    await wrapper.find('#chatbot-name').setValue('  Trip planner ');
    await wrapper.find('#chatbot-description').setValue('Plans weekend trips');
    await wrapper.find('#chatbot-systemPrompt').setValue('You plan trips.');
    await wrapper.find('#chatbot-temperature').setValue('1.2');
    await wrapper.find('#chatbot-maxTokens').setValue('800');
    await wrapper.find('form').trigger('submit');
    expect(wrapper.emitted('submit')?.[0]?.[0]).toEqual({
      name: '  Trip planner ',
      description: 'Plans weekend trips',
      systemPrompt: 'You plan trips.',
      model: 'chat-default',
      temperature: 1.2,
      maxTokens: 800,
      reasoningEffort: null,
    });
  });

  it('caps max tokens at the model limit and hides temperature when the model has none', async () => {
    const { wrapper } = setup({ chatbot: { ...chatbot, maxTokens: 9000 } });
    await flushPromises();
    expect((wrapper.find('#chatbot-maxTokens').element as HTMLInputElement).value).toBe('4096');
    expect(wrapper.find('#chatbot-maxTokens').attributes('max')).toBe('4096');
    await wrapper.find('#chatbot-maxTokens').setValue('5000');
    await wrapper.find('form').trigger('submit');
    expect(wrapper.emitted('submit')).toBeUndefined();
    expect(wrapper.find('#chatbot-maxTokens-error').text()).toBe(
      'Max tokens must be at most 4,096 for this model.',
    );

    expect(wrapper.find('#chatbot-temperature').exists()).toBe(true);
    await wrapper.find('select').setValue('reasoner');
    expect(wrapper.find('#chatbot-temperature').exists()).toBe(false);
    expect(wrapper.find('[data-testid="temperature-unsupported"]').exists()).toBe(true);
  });

  it('fills the system prompt with "Generate with AI" from the description', async () => {
    const { wrapper, fake } = setup(
      {},
      {
        'POST /api/prompts/generate': () =>
          json({ systemPrompt: 'You are a cheerful travel planner.', model: 'prompt-helper' }),
      },
    );
    await flushPromises();
    const button = wrapper.find('[data-testid="generate-prompt"]');
    expect(button.attributes('disabled')).toBeDefined();
    await wrapper.find('#chatbot-name').setValue('Trips');
    await wrapper.find('#chatbot-description').setValue('Plans weekend trips');
    await wrapper.find('#chatbot-systemPrompt').setValue('old prompt');
    await button.trigger('click');
    await flushPromises();
    expect(fake.calls.find((call) => call.path === '/api/prompts/generate')?.body).toEqual({
      description: 'Plans weekend trips',
      name: 'Trips',
    });
    expect((wrapper.find('#chatbot-systemPrompt').element as HTMLTextAreaElement).value).toBe(
      'You are a cheerful travel planner.',
    );
    expect(wrapper.text()).toContain('Prompt written by prompt-helper');
    await wrapper.find('button.button--ghost').trigger('click');
    expect((wrapper.find('#chatbot-systemPrompt').element as HTMLTextAreaElement).value).toBe('old prompt');
  });

  it('shows a failed generation without touching the prompt', async () => {
    const { wrapper } = setup(
      {},
      {
        'POST /api/prompts/generate': () =>
          apiError(429, 'rate_limited', 'Slow down: 10 requests per minute.'),
      },
    );
    await flushPromises();
    await wrapper.find('#chatbot-description').setValue('Plans weekend trips');
    await wrapper.find('#chatbot-systemPrompt').setValue('keep me');
    await wrapper.find('[data-testid="generate-prompt"]').trigger('click');
    await flushPromises();
    expect(wrapper.find('[role="alert"]').text()).toContain('Slow down: 10 requests per minute.');
    expect((wrapper.find('#chatbot-systemPrompt').element as HTMLTextAreaElement).value).toBe('keep me');
  });

  it('puts server errors on the field they concern, others at the top', async () => {
    const { wrapper } = setup({ chatbot });
    await flushPromises();
    await wrapper.setProps({
      serverError: new ApiError(403, 'model_not_allowed', 'Your plan (basic) does not allow it.'),
    });
    expect(wrapper.find('#chatbot-model-error').text()).toBe('Your plan (basic) does not allow it.');

    await wrapper.setProps({
      serverError: new ApiError(400, 'validation_failed', 'Invalid body', [
        { path: ['name'], message: 'Too long' },
      ]),
    });
    expect(wrapper.find('#chatbot-name-error').text()).toBe('Too long');

    await wrapper.setProps({ serverError: new ApiError(500, 'internal', 'The server had a problem.') });
    expect(wrapper.find('[data-testid="form-error"]').text()).toBe('The server had a problem.');
  });

  it('blocks saving a chatbot whose model the plan no longer allows', async () => {
    const { wrapper } = setup({ chatbot: { ...chatbot, model: 'claude-default' } });
    await flushPromises();
    await wrapper.find('form').trigger('submit');
    expect(wrapper.emitted('submit')).toBeUndefined();
    expect(wrapper.find('#chatbot-model-error').text()).toBe('Choose a model your plan allows.');
    await wrapper.find('select').setValue('chat-default');
    await wrapper.find('form').trigger('submit');
    expect(wrapper.emitted('submit')?.[0]?.[0]).toMatchObject({ model: 'chat-default', name: 'Support bot' });
  });

  it('a reasoning model: no temperature slider, its efforts offered, and the real limits in the hint', async () => {
    const { wrapper } = setup({ chatbot: { ...chatbot, temperature: 0.3 } });
    await flushPromises();
    expect(wrapper.find('[data-testid="reasoning-effort-field"]').exists()).toBe(false);
    expect(wrapper.find('#chatbot-maxTokens-hint').text()).toBe('At most 4,096 tokens for this model.');

    await wrapper.find('#chatbot-model').setValue('reasoner');
    expect(wrapper.find('#chatbot-temperature').exists()).toBe(false);
    expect(wrapper.find('[data-testid="temperature-unsupported"]').text()).toContain('not sent');
    const effort = wrapper.find('#chatbot-reasoningEffort');
    expect(effort.findAll('option').map((option) => option.text())).toEqual([
      'Model default',
      'Low',
      'Medium',
      'High',
    ]);
    // 100,000 for the model, but the server stops at 8,192; the plan cuts answers at 512.
    expect(wrapper.find('#chatbot-maxTokens').attributes('max')).toBe('8192');
    expect(wrapper.find('#chatbot-maxTokens-hint').text()).toBe(
      'At most 8,192 tokens for this model. Your plan answers with at most 512 tokens.',
    );
    await effort.setValue('high');
    await wrapper.find('#chatbot-maxTokens').setValue('2000');
    await wrapper.find('form').trigger('submit');
    // Above the plan's 512 is allowed (clamped per answer); the hidden temperature is kept as it was.
    expect(wrapper.emitted('submit')?.[0]?.[0]).toMatchObject({
      model: 'reasoner',
      temperature: 0.3,
      maxTokens: 2000,
      reasoningEffort: 'high',
    });

    await wrapper.find('#chatbot-model').setValue('chat-default');
    expect(wrapper.find('#chatbot-reasoningEffort').exists()).toBe(false);
    await wrapper.find('form').trigger('submit');
    expect(wrapper.emitted('submit')?.[1]?.[0]).toMatchObject({
      model: 'chat-default',
      reasoningEffort: null,
    });
  });

  it('a model with both: the temperature gives way while a reasoning effort is set', async () => {
    const both = [...models, { ...models[1]!, id: 'both', label: 'Claude', supportsTemperature: true }];
    const { wrapper } = setup({}, { 'GET /api/llm/models': () => json(both) });
    await flushPromises();
    await wrapper.find('#chatbot-model').setValue('both');
    expect(wrapper.find('#chatbot-temperature').exists()).toBe(true);
    await wrapper.find('#chatbot-reasoningEffort').setValue('low');
    expect(wrapper.find('#chatbot-temperature').exists()).toBe(false);
    expect(wrapper.find('[data-testid="temperature-with-effort"]').text()).toContain('not sent');
    await wrapper.find('#chatbot-reasoningEffort').setValue('');
    expect(wrapper.find('#chatbot-temperature').exists()).toBe(true);
  });

  it('offers only the efforts the model reports; one it lacks falls back to the model default', async () => {
    const listed = [
      ...models,
      { ...models[1]!, id: 'two', label: 'Two efforts', reasoningEfforts: ['low', 'high'] },
    ];
    const { wrapper } = setup(
      { chatbot: { ...chatbot, model: 'reasoner', reasoningEffort: 'medium' } },
      { 'GET /api/llm/models': () => json(listed) },
    );
    await flushPromises();
    expect((wrapper.find('#chatbot-reasoningEffort').element as HTMLSelectElement).value).toBe('medium');
    await wrapper.find('#chatbot-model').setValue('two');
    const effort = wrapper.find('#chatbot-reasoningEffort');
    expect(effort.findAll('option').map((option) => option.text())).toEqual(['Model default', 'Low', 'High']);
    expect((effort.element as HTMLSelectElement).value).toBe('');
  });

  it("puts the server's max-tokens and effort refusals under their fields", async () => {
    const { wrapper } = setup({ chatbot });
    await flushPromises();
    await wrapper.setProps({
      serverError: new ApiError(
        400,
        'validation_failed',
        'Max tokens must be at most 8,192 for this model.',
        {
          field: 'maxTokens',
          max: 8192,
        },
      ),
    });
    expect(wrapper.find('#chatbot-maxTokens-error').text()).toBe(
      'Max tokens must be at most 8,192 for this model.',
    );
    expect(wrapper.find('[data-testid="form-error"]').exists()).toBe(false);
    await wrapper.find('#chatbot-model').setValue('reasoner');
    await wrapper.setProps({
      serverError: new ApiError(
        400,
        'validation_failed',
        'Reasoning effort must be low or high for this model.',
        {
          field: 'reasoningEffort',
          allowed: ['low', 'high'],
        },
      ),
    });
    expect(wrapper.find('#chatbot-reasoningEffort-error').text()).toBe(
      'Reasoning effort must be low or high for this model.',
    );
  });

  it('without the model list, leaves a saved reasoning effort alone', async () => {
    const { wrapper } = setup(
      { chatbot: { ...chatbot, reasoningEffort: 'low' } },
      { 'GET /api/llm/models': () => apiError(503, 'service_unavailable', 'Catalog unavailable.') },
    );
    await flushPromises();
    await wrapper.find('form').trigger('submit');
    expect(wrapper.emitted('submit')?.[0]?.[0]).not.toHaveProperty('reasoningEffort');
  });
});
