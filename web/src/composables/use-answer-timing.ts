import { ref, toRaw, watch } from 'vue';
import type { ChatMessage } from '@app/common';

export interface AnswerTiming {
  /** From sending to the first visible text. */
  ttftMs: number | null;
  /** From sending to the end of the answer. */
  latencyMs: number | null;
}

interface Marks {
  start: number;
  firstAt: number | null;
  endAt: number | null;
}

/**
 * Times the answers streamed in this tab, as the reader saw them (network included): a stored answer
 * carries the server's own figures (`ttftMs`, `latencyMs`), an answer streamed just now has these
 * until the conversation is read again.
 */
export function useAnswerTiming(messages: () => readonly ChatMessage[], now = () => performance.now()) {
  const marks = new WeakMap<object, Marks>();
  const version = ref(0);

  watch(
    () => messages().map((message) => `${message.status}:${message.content.length > 0}`),
    () => {
      const at = now();
      let changed = false;
      for (const message of messages()) {
        if (message.role !== 'assistant') continue;
        const key = toRaw(message);
        let entry = marks.get(key);
        if (!entry) {
          if (message.status !== 'streaming') continue;
          entry = { start: at, firstAt: null, endAt: null };
          marks.set(key, entry);
          changed = true;
        }
        if (entry.firstAt === null && message.content) {
          entry.firstAt = at;
          changed = true;
        }
        if (entry.endAt === null && message.status !== 'streaming') {
          entry.endAt = at;
          changed = true;
        }
      }
      if (changed) version.value++;
    },
    { immediate: true, flush: 'sync' },
  );

  /** This tab's timing of an answer, or null when it was not streamed here. */
  function timingOf(message: ChatMessage): AnswerTiming | null {
    void version.value;
    const entry = marks.get(toRaw(message));
    if (!entry) return null;
    return {
      ttftMs: entry.firstAt === null ? null : Math.round(entry.firstAt - entry.start),
      latencyMs: entry.endAt === null ? null : Math.round(entry.endAt - entry.start),
    };
  }

  return { timingOf };
}
