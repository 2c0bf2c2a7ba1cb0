import type {
  ChatCompletionChunk,
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
  ChatCompletionTool,
  ChatCompletionToolChoiceOption,
} from 'openai/resources/chat/completions';
import type { ChatStreamEvent, LlmMessage, LlmTool, LlmToolCall, LlmToolChoice } from './client.js';

/**
 * Function calling on OpenAI's wire (used by the chatbot API only). The app's own turns carry no
 * tool fields: their messages go out as they are, without a copy.
 */
export function wireMessages(messages: LlmMessage[]): ChatCompletionMessageParam[] {
  if (!messages.some((message) => message.toolCalls || message.toolCallId !== undefined)) {
    return messages as ChatCompletionMessageParam[];
  }
  return messages.map((message): ChatCompletionMessageParam => {
    if (message.role === 'tool') {
      return { role: 'tool', content: message.content, tool_call_id: message.toolCallId ?? '' };
    }
    if (message.role === 'assistant' && message.toolCalls) {
      return {
        role: 'assistant',
        content: message.content === '' ? null : message.content,
        tool_calls: message.toolCalls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: call.arguments },
        })),
      };
    }
    return { role: message.role, content: message.content } as ChatCompletionMessageParam;
  });
}

export function wireTools(tools: LlmTool[]): ChatCompletionTool[] {
  return tools.map((tool) => ({ type: 'function', function: { ...tool } }));
}

export function wireToolChoice(choice: LlmToolChoice): ChatCompletionToolChoiceOption {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

type ChunkToolCall = NonNullable<ChatCompletionChunk.Choice.Delta['tool_calls']>[number];

/** A chunk's tool-call pieces as stream events (id and name arrive with a call's first piece). */
export function* toolCallEvents(calls: ChunkToolCall[]): Generator<ChatStreamEvent> {
  for (const call of calls) {
    yield {
      type: 'tool_call',
      index: call.index,
      ...(call.id ? { id: call.id } : {}),
      ...(call.function?.name ? { name: call.function.name } : {}),
      arguments: call.function?.arguments ?? '',
    };
  }
}

export function wholeToolCalls(calls: ChatCompletionMessageToolCall[]): LlmToolCall[] {
  return calls.flatMap((call) =>
    call.type === 'function'
      ? [{ id: call.id, name: call.function.name, arguments: call.function.arguments }]
      : [],
  );
}
