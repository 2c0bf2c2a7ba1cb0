import { describe, expect, it } from 'vitest';
import { nextTick, ref, shallowRef } from 'vue';
import { MESSAGE_MAX_CHARS, type ChatMessage } from '@app/common';
import { ApiError } from '../api';
import { useAnswerTiming } from './use-answer-timing';
import { useComposerState } from './use-composer-state';

const message = (role: ChatMessage['role'], content: string, status: ChatMessage['status'] = 'complete') =>
  ({ id: `${role}-${content}`, conversationId: 'c', role, content, status, createdAt: '' }) as ChatMessage;

describe('useComposerState', () => {
  function setup() {
    const chat = {
      messages: ref<ChatMessage[]>([
        message('user', 'first'),
        message('assistant', 'a'),
        message('user', 'second'),
      ]),
      status: ref('ready'),
      error: shallowRef<ApiError | null>(null),
      restoredDraft: ref<string | null>(null),
    };
    return { chat, state: useComposerState(chat) };
  }

  it('recalls the last message sent', () => {
    const { chat, state } = setup();
    expect(state.lastUserMessage.value).toBe('second');
    chat.messages.value = [];
    expect(state.lastUserMessage.value).toBeNull();
  });

  it("learns the plan's limit from a refusal and words it for the composer", async () => {
    const { chat, state } = setup();
    expect(state.maxChars.value).toBe(MESSAGE_MAX_CHARS);
    chat.error.value = new ApiError(413, 'payload_too_large', 'The input is … (maxInputChars).', {
      limit: 'maxInputChars',
      max: 8000,
      actual: 9100,
    });
    chat.restoredDraft.value = 'x'.repeat(9100);
    await nextTick();
    expect(state.maxChars.value).toBe(8000);
    expect(state.error.value).toBe(
      'Your message was not sent. This message is 9,100 characters; your plan allows 8,000. Shorten it and try again.',
    );
  });
});

describe('useAnswerTiming', () => {
  it("measures an answer streamed here: to its first text and to its end; not a stored one's", async () => {
    let now = 1000;
    const stored = message('assistant', 'old');
    const messages = ref<ChatMessage[]>([stored]);
    const { timingOf } = useAnswerTiming(
      () => messages.value,
      () => now,
    );
    messages.value.push(message('assistant', '', 'streaming'));
    const live = messages.value[1]!;
    now = 1400;
    live.content = 'Hel';
    now = 2600;
    live.content = 'Hello';
    live.status = 'complete';
    await nextTick();
    expect(timingOf(live)).toEqual({ ttftMs: 400, latencyMs: 1600 });
    expect(timingOf(stored)).toBeNull();
  });
});
