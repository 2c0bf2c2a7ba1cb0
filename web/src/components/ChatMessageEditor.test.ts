import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import type { ChatMessage } from '@app/common';
import ChatMessageEditor from './ChatMessageEditor.vue';
import ChatVersionSwitcher from './ChatVersionSwitcher.vue';

describe('ChatMessageEditor', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('opens with the text, focused; Escape cancels (and goes no further), Enter saves', async () => {
    const wrapper = mount(ChatMessageEditor, { props: { initial: 'Old text' }, attachTo: document.body });
    await flushPromises();
    const field = wrapper.find('textarea');
    expect((field.element as HTMLTextAreaElement).value).toBe('Old text');
    expect(document.activeElement).toBe(field.element);
    let bubbled = false;
    document.body.addEventListener('keydown', () => (bubbled = true));
    await field.trigger('keydown', { key: 'Escape' });
    expect(wrapper.emitted('cancel')).toHaveLength(1);
    expect(bubbled).toBe(false);
    await field.setValue('New text');
    await field.trigger('keydown', { key: 'Enter' });
    expect(wrapper.emitted('save')).toEqual([['New text']]);
  });

  it('says what is wrong, on the field, instead of sending an empty or too long message', async () => {
    const wrapper = mount(ChatMessageEditor, {
      props: { initial: 'x', maxChars: 5 },
      attachTo: document.body,
    });
    const field = wrapper.find('textarea');
    await field.setValue('   ');
    await wrapper.find('form').trigger('submit');
    expect(wrapper.emitted('save')).toBeUndefined();
    expect(wrapper.find('[role="alert"]').text()).toBe('Write the new message.');
    expect(field.attributes('aria-invalid')).toBe('true');
    expect(field.attributes('aria-describedby')).toBe(wrapper.find('[role="alert"]').attributes('id'));
    await field.setValue('too long');
    await wrapper.find('form').trigger('submit');
    expect(wrapper.find('[role="alert"]').text()).toBe('The message is 3 characters too long.');
    expect(wrapper.emitted('save')).toBeUndefined();
  });
});

describe('ChatVersionSwitcher', () => {
  const message = (index: number, count: number) =>
    ({
      id: 'm',
      conversationId: 'c',
      role: 'assistant',
      content: '',
      status: 'complete',
      createdAt: '',
      siblingIds: Array.from({ length: count }, (_, i) => `v${i}`),
      siblingIndex: index,
      siblingCount: count,
    }) as ChatMessage;

  it('shows nothing for a message with one version', () => {
    const wrapper = mount(ChatVersionSwitcher, { props: { message: message(0, 1), enabled: true } });
    expect(wrapper.find('[data-testid="version-switcher"]').exists()).toBe(false);
  });

  it('shows n/m with labelled buttons, disabled at the ends and while busy', async () => {
    const wrapper = mount(ChatVersionSwitcher, { props: { message: message(1, 3), enabled: true } });
    expect(wrapper.find('[data-testid="version-count"]').text()).toBe('2/3');
    expect(wrapper.find('[role="group"]').attributes('aria-label')).toBe('Version 2 of 3 of this answer');
    const previous = wrapper.find('button[aria-label="Previous version"]');
    const next = wrapper.find('button[aria-label="Next version"]');
    await previous.trigger('click');
    await next.trigger('click');
    expect(wrapper.emitted('switch')).toEqual([[-1], [1]]);
    await wrapper.setProps({ message: message(2, 3) });
    expect(next.attributes('disabled')).toBeDefined();
    await wrapper.setProps({ enabled: false });
    expect(previous.attributes('disabled')).toBeDefined();
  });
});
