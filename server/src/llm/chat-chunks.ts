import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { APIError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { HeaderReader } from './stream-transport.js';

/**
 * Decodes an upstream's SSE body into chat-completion chunks, as the SDK decodes it: `[DONE]` ends
 * the data (what follows is ignored; the caller still reads the body to its end so the socket can be
 * reused), a chunk that is not JSON throws (SyntaxError), and an in-band `{"error": …}` throws the
 * SDK's `APIError` (LiteLLM reports mid-stream failures that way, with the status in `error.code`).
 * A plain function per piece of body, not another async generator: the token path has few layers.
 * A failure inside a piece comes after the chunks before it: `decode` returns those, and the caller
 * throws `failure` once it has handed them on.
 */
export class ChatChunkDecoder {
  private readonly events: EventSourceMessage[] = [];
  private readonly parser = createParser({ onEvent: (event) => this.events.push(event) });
  private done = false;
  /** What ended the data with an error (malformed or in-band error chunk), if anything. */
  failure: unknown = null;

  constructor(private readonly headers: HeaderReader) {}

  /** The chunks completed by this piece of the body, in order. */
  decode(piece: string): ChatCompletionChunk[] {
    if (this.done) return [];
    this.parser.feed(piece);
    const chunks: ChatCompletionChunk[] = [];
    try {
      for (const event of this.events) {
        if (event.data.startsWith('[DONE]')) {
          this.done = true;
          break;
        }
        const data = JSON.parse(event.data) as ChatCompletionChunk & { error?: unknown };
        if (data.error)
          throw new APIError(undefined, data.error as object, undefined, this.headers as Headers);
        chunks.push(data);
      }
    } catch (error) {
      this.failure = error;
      this.done = true;
    }
    this.events.length = 0;
    return chunks;
  }
}
