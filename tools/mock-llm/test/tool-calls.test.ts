import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm } from '../src/index.js';

/** Function calling in both flavours: OpenAI's shapes for a call, streamed and whole. */

const tools = [{ type: 'function', function: { name: 'lookup_order', parameters: { type: 'object' } } }];
// Test-only: bodies are asserted field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const parse = (frame: string): any => JSON.parse(frame.slice('data: '.length));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (response: Response): Promise<any> => response.json();

describe.each(['openai', 'litellm'] as const)('tool calls (%s flavour)', (flavor) => {
  let mock: MockLlm;
  beforeAll(async () => {
    mock = await startMockLlm({ flavor, apiKey: 'sk-mock', models: [{ id: 'chat-default' }] });
  });
  afterAll(() => mock.close());

  const chat = (body: Record<string, unknown>) =>
    fetch(`${mock.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-mock', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat-default', tools, ...body }),
    });

  it('a whole answer calls the first tool with the user text, finish_reason tool_calls', async () => {
    const response = await chat({ messages: [{ role: 'user', content: 'Where is order 42?' }] });
    const body = await json(response);
    const choice = body.choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toEqual([
      {
        id: expect.stringMatching(/^call_/),
        type: 'function',
        function: { name: 'lookup_order', arguments: '{"input":"Where is order 42?"}' },
      },
    ]);
  });

  it('a stream sends the call in pieces: id, type and name first, then the arguments', async () => {
    const response = await chat({
      messages: [{ role: 'user', content: 'Where is order 42?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const frames = (await response.text()).split('\n\n').filter(Boolean);
    expect(frames.at(-1)).toBe('data: [DONE]');
    const chunks = frames.slice(0, -1).map(parse);
    const calls = chunks.flatMap((chunk) => chunk.choices[0]?.delta?.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, id: expect.stringMatching(/^call_/), type: 'function' });
    expect(calls[0].function.name).toBe('lookup_order');
    expect(calls.map((call: { function: { arguments: string } }) => call.function.arguments).join('')).toBe(
      '{"input":"Where is order 42?"}',
    );
    expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason === 'tool_calls')).toBe(true);
    expect(chunks.at(-1).usage.completion_tokens).toBeGreaterThan(0);
  });

  it('answers a tool result with text, and tool_choice none with text', async () => {
    const after = await chat({
      messages: [
        { role: 'user', content: 'Where is order 42?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'lookup_order', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'shipped' },
      ],
    });
    const answer = (await json(after)).choices[0];
    expect(answer.finish_reason).toBe('stop');
    expect(answer.message.content).toBe('The tool answered: shipped');
    const none = await chat({ messages: [{ role: 'user', content: 'Hi' }], tool_choice: 'none' });
    expect((await json(none)).choices[0].message.tool_calls).toBeUndefined();
  });
});
