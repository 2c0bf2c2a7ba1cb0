import type { LlmMessage } from '../../../llm/client.js';
import { AppError } from '../../../errors.js';
import type { CompletionHead, CompletionResult } from '../../../services/api-keys/completion-types.js';
import type { ChatMessageInput } from './openai.schemas.js';

/** The caller's messages in the product's neutral shape (text only; functions passed through). */
export function toLlmMessages(messages: ChatMessageInput[]): LlmMessage[] {
  return messages.map((message, index): LlmMessage => {
    const content = textOf(message.content, index);
    const role = message.role === 'developer' ? 'system' : message.role;
    if (role === 'tool') {
      if (!message.tool_call_id) {
        throw paramError(`messages[${index}].tool_call_id`, 'A tool message needs its tool_call_id.');
      }
      return { role, content, toolCallId: message.tool_call_id };
    }
    if (role === 'assistant' && message.tool_calls?.length) {
      return {
        role,
        content,
        toolCalls: message.tool_calls.map((call) => ({
          id: call.id,
          name: call.function.name,
          arguments: call.function.arguments,
        })),
      };
    }
    return { role, content };
  });
}

function textOf(content: ChatMessageInput['content'], index: number): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content
    .map((part) => {
      if (part.type !== 'text' || typeof part.text !== 'string') {
        throw paramError(
          `messages[${index}].content`,
          `Only text content is supported (got a "${part.type}" part).`,
        );
      }
      return part.text;
    })
    .join('');
}

export function paramError(param: string, message: string): AppError {
  return new AppError('bad_request', message, { details: { param } });
}

const usageOf = (result: CompletionResult) => ({
  prompt_tokens: result.usage.promptTokens,
  completion_tokens: result.usage.completionTokens,
  total_tokens: result.usage.promptTokens + result.usage.completionTokens,
});

/** `chat.completion`: the whole answer. */
export function completionBody(result: CompletionResult) {
  const { head } = result;
  return {
    id: head.id,
    object: 'chat.completion',
    created: head.created,
    model: head.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: result.toolCalls.length > 0 && result.text === '' ? null : result.text,
          refusal: null,
          ...(result.toolCalls.length > 0
            ? {
                tool_calls: result.toolCalls.map((call) => ({
                  id: call.id,
                  type: 'function',
                  function: { name: call.name, arguments: call.arguments },
                })),
              }
            : {}),
        },
        logprobs: null,
        finish_reason: result.finishReason,
      },
    ],
    usage: usageOf(result),
  };
}

/** One `chat.completion.chunk`, as a `data:` line's JSON. */
export function chunk(head: CompletionHead, delta: object, finishReason: string | null = null): string {
  return JSON.stringify({
    id: head.id,
    object: 'chat.completion.chunk',
    created: head.created,
    model: head.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  });
}

/** The last chunk when `stream_options.include_usage`: no choices, the usage. */
export function usageChunk(result: CompletionResult): string {
  const { head } = result;
  return JSON.stringify({
    id: head.id,
    object: 'chat.completion.chunk',
    created: head.created,
    model: head.model,
    choices: [],
    usage: usageOf(result),
  });
}

export function toolCallDelta(piece: { index: number; id?: string; name?: string; arguments: string }) {
  return {
    tool_calls: [
      {
        index: piece.index,
        ...(piece.id ? { id: piece.id, type: 'function' } : {}),
        function: { ...(piece.name ? { name: piece.name } : {}), arguments: piece.arguments },
      },
    ],
  };
}
