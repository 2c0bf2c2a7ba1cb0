import type { ChatMessage } from '@app/common';
import type { AnswerTiming } from '../composables/use-answer-timing';
import { formatCount, formatUsd } from './usage-format';

export interface AnswerMetaPart {
  key: 'model' | 'fallback' | 'tokens' | 'cost' | 'ttft' | 'time';
  /** What is shown. */
  text: string;
  /** The longer reading (tooltip and screen readers). */
  label: string;
}

/** Milliseconds under a second, then seconds (one decimal below 10 s). */
export const formatSeconds = (ms: number) =>
  ms < 1000
    ? `${Math.round(ms)} ms`
    : ms < 10_000
      ? `${(ms / 1000).toFixed(1)} s`
      : `${Math.round(ms / 1000)} s`;

/**
 * The small line under an answer: which model answered (and the fallback that did, if one did), its
 * tokens, cost and timing. The server's figures win; `timing` is this tab's own measure of an answer
 * streamed just now.
 */
export function answerMetaParts(
  message: ChatMessage,
  labelOf: (modelId: string) => string,
  options: { chatbotModel?: string | null; timing?: AnswerTiming | null } = {},
): AnswerMetaPart[] {
  const parts: AnswerMetaPart[] = [];
  const requested = message.model ?? options.chatbotModel ?? null;
  if (requested) {
    parts.push({ key: 'model', text: labelOf(requested), label: `Model: ${labelOf(requested)}` });
  }
  const fallback = message.answeredBy && message.answeredBy !== requested ? message.answeredBy : null;
  if (fallback) {
    const name = labelOf(fallback);
    parts.push({
      key: 'fallback',
      text: `answered by fallback ${name}`,
      label: `${requested ? labelOf(requested) : 'The model'} was unavailable; answered by fallback ${name}`,
    });
  }
  if (!fallback && message.fallback) {
    parts.push({
      key: 'fallback',
      text: 'answered by a fallback model',
      label: 'The model was unavailable; a fallback model wrote this answer or part of it',
    });
  }
  if (message.status === 'streaming') return parts;
  if (message.usage) {
    const { promptTokens, completionTokens } = message.usage;
    const total = promptTokens + completionTokens;
    parts.push({
      key: 'tokens',
      text: `${formatCount(total)} tokens`,
      label: `${formatCount(total)} tokens: ${formatCount(promptTokens)} in, ${formatCount(completionTokens)} out`,
    });
  }
  if (typeof message.costUsd === 'number') {
    parts.push({
      key: 'cost',
      text: formatUsd(message.costUsd),
      label: `Cost ${formatUsd(message.costUsd)}`,
    });
  }
  const ttft = message.ttftMs ?? options.timing?.ttftMs ?? null;
  if (ttft !== null) {
    parts.push({
      key: 'ttft',
      text: `first token ${formatSeconds(ttft)}`,
      label: `First token after ${formatSeconds(ttft)}`,
    });
  }
  const total = message.latencyMs ?? options.timing?.latencyMs ?? null;
  if (total !== null) {
    parts.push({
      key: 'time',
      text: `${formatSeconds(total)} total`,
      label: `Answered in ${formatSeconds(total)}`,
    });
  }
  return parts;
}
