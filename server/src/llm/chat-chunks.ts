import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { APIError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { HeaderReader } from './stream-transport.js';

/**
 * An upstream's SSE body as chat-completion chunks, decoded as the SDK decodes it: `[DONE]` ends the
 * data, a chunk that is not JSON throws (SyntaxError), and an in-band `{"error": …}` throws the SDK's
 * `APIError` (LiteLLM reports mid-stream failures that way, with the status in `error.code`).
 */
export async function* chatChunks(
  body: AsyncIterable<string>,
  headers: HeaderReader,
): AsyncGenerator<ChatCompletionChunk> {
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  for await (const piece of body) {
    parser.feed(piece);
    for (const event of events) {
      if (event.data.startsWith('[DONE]')) return;
      const data = JSON.parse(event.data) as ChatCompletionChunk & { error?: unknown };
      if (data.error) throw new APIError(undefined, data.error as object, undefined, headers as Headers);
      yield data;
    }
    events.length = 0;
  }
}
