import { randomBytes } from 'node:crypto';

/** One function call the mock makes, in OpenAI's terms (`arguments` is JSON text). */
export interface MockToolCall {
  id: string;
  name: string;
  arguments: string;
}

interface ToolMessage {
  role: string;
  content: string;
}

/**
 * Function calling, deterministically: a request that offers `tools` (and `tool_choice` is not
 * `none`) and whose last message is the user's gets one call of the chosen function (or the first
 * one) with `{"input": <the user's text>}`; a request whose last message is a `tool` result gets a
 * text answer that quotes it. Anything else is answered as usual (null, null).
 */
export function planToolCall(
  request: Record<string, unknown>,
  messages: readonly ToolMessage[],
): { call: MockToolCall | null; answer: string | null } {
  const last = messages.at(-1);
  if (last?.role === 'tool') return { call: null, answer: `The tool answered: ${last.content}` };
  const tools = Array.isArray(request.tools)
    ? (request.tools as Array<{ function?: { name?: unknown } }>)
    : [];
  const choice = request.tool_choice as string | { function?: { name?: unknown } } | undefined;
  if (tools.length === 0 || choice === 'none' || last?.role !== 'user') return { call: null, answer: null };
  const named = typeof choice === 'object' ? choice.function?.name : undefined;
  const name = typeof named === 'string' ? named : tools[0]?.function?.name;
  if (typeof name !== 'string') return { call: null, answer: null };
  return {
    call: {
      id: `call_${randomBytes(12).toString('hex')}`,
      name,
      arguments: JSON.stringify({ input: last.content }),
    },
    answer: null,
  };
}

/** What a call costs in completion tokens (≈ 4 characters a token, as the mock counts text). */
export function toolCallTokens(call: MockToolCall): number {
  return Math.max(1, Math.ceil((call.name.length + call.arguments.length) / 4));
}

/**
 * OpenAI's streamed shape of one call: the first delta carries `id`, `type` and the name with empty
 * arguments, the next ones the arguments in pieces.
 */
export function toolCallDeltas(call: MockToolCall): object[] {
  const half = Math.ceil(call.arguments.length / 2);
  return [
    {
      tool_calls: [{ index: 0, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
    },
    { tool_calls: [{ index: 0, function: { arguments: call.arguments.slice(0, half) } }] },
    { tool_calls: [{ index: 0, function: { arguments: call.arguments.slice(half) } }] },
  ];
}

/** The whole answer's `message.tool_calls`. */
export function wholeToolCalls(call: MockToolCall): object[] {
  return [{ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }];
}
