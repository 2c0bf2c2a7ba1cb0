import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import ModelSelect, { type ModelSelection } from './ModelSelect.vue';
import { resetServerInfo } from '../composables/use-server-info';
import { apiError, createFakeFetch, json, type FakeHandler } from '../test-support/fake-fetch';
import type { ModelListEntry } from '@app/common';
import { models, serverInfo } from '../test-support/fixtures';

function setup(modelsHandler: FakeHandler, props: { modelValue?: string; currentModel?: string } = {}) {
  const fake = createFakeFetch({
    'GET /api/llm/models': modelsHandler,
    'GET /api/config': () => json(serverInfo),
  });
  vi.stubGlobal('fetch', fake.fetch);
  const selections: ModelSelection[] = [];
  const wrapper = mount(ModelSelect, {
    global: { stubs: { RouterLink: { template: '<a><slot /></a>' } } },
    props: {
      modelValue: props.modelValue ?? '',
      currentModel: props.currentModel ?? null,
      'onUpdate:modelValue': (value: string) => wrapper.setProps({ modelValue: value }),
      onSelection: (selection: ModelSelection) => selections.push(selection),
    },
  });
  return { wrapper, fake, selections };
}

describe('ModelSelect', () => {
  beforeEach(() => resetServerInfo());
  afterEach(() => vi.unstubAllGlobals());

  it('lists allowed models with provider and price, and picks the default model for a new chatbot', async () => {
    const { wrapper, selections } = setup(() => json(models));
    await flushPromises();
    const options = wrapper.findAll('option');
    expect(options.map((option) => option.text())).toEqual([
      'GPT-4o mini — OpenAI — ≈ $0.00015 in / $0.0006 out per 1K tokens',
      'o3 mini — OpenAI',
      'Claude Sonnet — Anthropic — Upgrade to Pro',
    ]);
    expect(wrapper.props('modelValue')).toBe('chat-default');
    expect((wrapper.find('select').element as HTMLSelectElement).value).toBe('chat-default');
    expect(wrapper.find('[data-testid="model-details"]').text()).toContain('OpenAI');
    expect(wrapper.find('[data-testid="model-details"]').text()).toContain('4,096 output tokens');
    expect(selections.at(-1)).toMatchObject({
      allowed: true,
      fallback: false,
      entry: { id: 'chat-default' },
    });
  });

  it('shows locked models disabled under "Upgrade to unlock"', async () => {
    const { wrapper } = setup(() => json(models));
    await flushPromises();
    const group = wrapper.find('optgroup');
    expect(group.attributes('label')).toBe('Upgrade to unlock');
    const locked = group.find('option');
    expect(locked.attributes('disabled')).toBeDefined();
    expect(locked.text()).toContain('Upgrade to Pro');
    expect(wrapper.text()).toContain('Locked models need a higher plan: Pro');
  });

  it('says plainly when the chatbot’s saved model is no longer allowed', async () => {
    const { wrapper, selections } = setup(() => json(models), {
      modelValue: 'claude-default',
      currentModel: 'claude-default',
    });
    await flushPromises();
    expect(wrapper.find('[data-testid="model-not-allowed"]').text()).toContain(
      'This chatbot\'s model "claude-default" is not available on your plan.',
    );
    expect(selections.at(-1)).toMatchObject({ allowed: false });
    await wrapper.find('select').setValue('chat-default');
    expect(selections.at(-1)).toMatchObject({ allowed: true, entry: { id: 'chat-default' } });
  });

  it('falls back to the current and default model when the list fails, and retries', async () => {
    let fail = true;
    const { wrapper, fake, selections } = setup(
      () => (fail ? apiError(503, 'service_unavailable', 'Catalog unavailable.') : json(models)),
      { modelValue: 'legacy-model', currentModel: 'legacy-model' },
    );
    await flushPromises();
    const notice = wrapper.find('[data-testid="models-fallback"]');
    expect(notice.text()).toContain('Could not load the model list.');
    expect(notice.text()).toContain('Catalog unavailable.');
    expect(wrapper.findAll('option').map((option) => option.text())).toEqual([
      'legacy-model',
      'chat-default',
    ]);
    expect(wrapper.find('select').attributes('disabled')).toBeUndefined();
    expect(selections.at(-1)).toMatchObject({ fallback: true, allowed: true });

    fail = false;
    await notice.find('button').trigger('click');
    await flushPromises();
    expect(wrapper.find('[data-testid="models-fallback"]').exists()).toBe(false);
    expect(wrapper.findAll('option')).toHaveLength(4); // the unavailable legacy model + 3 from the list
    expect(fake.calls.filter((call) => call.path === '/api/llm/models')).toHaveLength(2);
  });

  it('shows what the chosen model is: served, its capabilities, price per 1K and context', async () => {
    const { wrapper } = setup(() => json(models));
    await flushPromises();
    const details = wrapper.find('[data-testid="model-details"]');
    expect(details.find('[data-testid="model-health"]').text()).toBe('Served by the proxy');
    expect(details.findAll('[data-testid="model-capability"]').map((tag) => tag.text())).toEqual([
      'Vision',
      'Tools',
    ]);
    expect(details.find('[data-testid="model-price"]').text()).toBe(
      '≈ $0.00015 in / $0.0006 out per 1K tokens',
    );
    expect(details.text()).toContain('128K context');
    await wrapper.find('select').setValue('reasoner');
    expect(wrapper.find('[data-testid="model-details"]').text()).toContain('Reasoning');
  });

  it('lists a model the proxy does not serve as disabled, never picks it, and says so for a saved chatbot', async () => {
    const list: ModelListEntry[] = [
      {
        ...models[0]!,
        id: 'gemini-default',
        label: 'Gemini Flash',
        provider: 'google',
        availability: 'unserved',
      },
      ...models,
    ];
    const fresh = setup(() => json(list));
    await flushPromises();
    expect(fresh.wrapper.props('modelValue')).toBe('chat-default');
    const group = fresh.wrapper.find('optgroup[label="Not served right now"]');
    expect(group.find('option').text()).toBe('Gemini Flash — Google — not served right now');
    expect(group.find('option').attributes('disabled')).toBeDefined();
    fresh.wrapper.unmount();

    const saved = setup(() => json(list), { modelValue: 'gemini-default', currentModel: 'gemini-default' });
    await flushPromises();
    expect(saved.wrapper.find('[data-testid="model-unserved"]').text()).toContain(
      'This chatbot\'s model "gemini-default" is not served by the proxy right now.',
    );
    expect(saved.wrapper.find('[data-testid="model-not-allowed"]').exists()).toBe(false);
    expect(saved.wrapper.find('[data-testid="model-health"]').text()).toBe(
      'Not served by the proxy right now',
    );
    expect(saved.selections.at(-1)).toMatchObject({ allowed: false, reason: 'unserved' });
  });

  it("words LiteLLM's health check when it reports one", async () => {
    const list: ModelListEntry[] = [{ ...models[0]!, healthStatus: 'unhealthy' }];
    const { wrapper } = setup(() => json(list));
    await flushPromises();
    expect(wrapper.find('[data-testid="model-health"]').text()).toBe('Health check: unhealthy');
  });
});
