import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { APIError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { HeaderReader } from './stream-transport.js';

/**
 * An upstream's SSE body as chat-completion chunks, decoded as the SDK decodes it: `[DONE]` ends the
 * data (the rest of the body is read and ignored), a chunk that is not JSON throws (SyntaxError), and an in-band `{"error": …}` throws the SDK's
 * `APIError` (LiteLLM reports mid-stream failures that way, with the status in `error.code`).
 */
export async function* chatChunks(
  body: AsyncIterable<string>,
  headers: HeaderReader,
): AsyncGenerator<ChatCompletionChunk> {
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  let done = false;
  // Read to the end even after [DONE]: a body left unread closes the socket instead of returning it
  // to the keep-alive pool, and every turn would pay a new connection.
  for await (const piece of body) {
    if (done) continue;
    parser.feed(piece);
    for (const event of events) {
      if (event.data.startsWith('[DONE]')) {
        done = true;
        break;
      }
      const data = JSON.parse(event.data) as ChatCompletionChunk & { error?: unknown };
      if (data.error) throw new APIError(undefined, data.error as object, undefined, headers as Headers);
      yield data;
    }
    events.length = 0;
  }
}
