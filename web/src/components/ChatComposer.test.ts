import { afterEach, describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import { nextTick } from 'vue';
import ChatComposer from './ChatComposer.vue';

function setup(props: Record<string, unknown> = {}, draft = '') {
  const wrapper = mount(ChatComposer, {
    props: {
      streaming: false,
      modelValue: draft,
      'onUpdate:modelValue': (value: string) => wrapper.setProps({ modelValue: value }),
      ...props,
    },
    attachTo: document.body,
  });
  return { wrapper, textarea: wrapper.find('textarea') };
}

describe('ChatComposer', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('takes focus when it appears, and Enter sends (Shift+Enter does not)', async () => {
    const { wrapper, textarea } = setup({}, 'Hello');
    expect(document.activeElement).toBe(textarea.element);
    await textarea.trigger('keydown', { key: 'Enter', shiftKey: true });
    expect(wrapper.emitted('send')).toBeUndefined();
    await textarea.trigger('keydown', { key: 'Enter' });
    expect(wrapper.emitted('send')).toEqual([['Hello']]);
  });

  it('ArrowUp in an empty composer recalls the last message; not when there is text', async () => {
    const { wrapper, textarea } = setup({ recall: 'What did I ask?' });
    await textarea.trigger('keydown', { key: 'ArrowUp' });
    expect(wrapper.props('modelValue')).toBe('What did I ask?');
    await wrapper.setProps({ modelValue: 'typing' });
    await textarea.trigger('keydown', { key: 'ArrowUp' });
    expect(wrapper.props('modelValue')).toBe('typing');
  });

  it('counts characters near the limit and refuses to send past it', async () => {
    const { wrapper } = setup({ maxChars: 100 }, 'x'.repeat(79));
    expect(wrapper.find('[data-testid="char-counter"]').exists()).toBe(false);
    await wrapper.setProps({ modelValue: 'x'.repeat(80) });
    expect(wrapper.find('[data-testid="char-counter"]').text()).toBe('80 / 100');
    expect(wrapper.find('[data-testid="send"]').attributes('disabled')).toBeUndefined();
    await wrapper.setProps({ modelValue: 'x'.repeat(103) });
    expect(wrapper.find('[data-testid="char-counter"]').text()).toBe('103 / 100 — 3 too many');
    expect(wrapper.find('[data-testid="send"]').attributes('disabled')).toBeDefined();
    expect(wrapper.find('textarea').attributes('aria-invalid')).toBe('true');
    expect(wrapper.find('textarea').attributes('aria-describedby')).toContain('chat-input-counter');
  });

  it('shows an error under the field and links it for screen readers', () => {
    const { wrapper } = setup({ error: 'Your message was not sent. Too many requests.' });
    expect(wrapper.find('#chat-input-error').text()).toBe('Your message was not sent. Too many requests.');
    expect(wrapper.find('textarea').attributes('aria-describedby')).toContain('chat-input-error');
  });

  it('swaps Send for Stop while streaming, and gives focus back to the field after Stop', async () => {
    const { wrapper } = setup({ streaming: true });
    const stop = wrapper.find('[data-testid="stop"]');
    (stop.element as HTMLButtonElement).focus();
    await stop.trigger('click');
    expect(wrapper.emitted('stop')).toHaveLength(1);
    await wrapper.setProps({ streaming: false });
    await nextTick();
    expect(wrapper.find('[data-testid="send"]').exists()).toBe(true);
    expect(document.activeElement).toBe(wrapper.find('textarea').element);
  });
});
