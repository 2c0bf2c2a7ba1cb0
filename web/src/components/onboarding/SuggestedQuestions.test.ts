import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import { forgetSuggestions, rememberSuggestions } from './suggested-questions';
import SuggestedQuestions from './SuggestedQuestions.vue';

describe('SuggestedQuestions', () => {
  beforeEach(() => localStorage.clear());
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('shows the remembered questions as chips; a click asks it', async () => {
    rememberSuggestions('b1', ['One?', 'Two?', 'Three?']);
    const wrapper = mount(SuggestedQuestions, { props: { chatbotId: 'b1' } });
    const chips = wrapper.findAll('[data-testid="suggestion-chip"]');
    expect(chips.map((chip) => chip.text())).toEqual(['One?', 'Two?', 'Three?']);
    await chips[1]!.trigger('click');
    expect(wrapper.emitted('pick')).toEqual([['Two?']]);
  });

  it('nothing for a chatbot without any (or after it was deleted)', () => {
    rememberSuggestions('b1', ['One?']);
    forgetSuggestions('b1');
    const wrapper = mount(SuggestedQuestions, { props: { chatbotId: 'b1' } });
    expect(wrapper.find('[data-testid="suggested-questions"]').exists()).toBe(false);
  });
});
