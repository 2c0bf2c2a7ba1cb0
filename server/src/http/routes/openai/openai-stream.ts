import type { FastifyReply } from 'fastify';
import type {
  CompletionHead,
  CompletionResult,
  CompletionSink,
} from '../../../services/api-keys/completion-types.js';
import { openAiErrorOf } from './openai-errors.js';
import { chunk, toolCallDelta, usageChunk } from './openai-wire.js';

const DONE = 'data: [DONE]\n\n';

/**
 * OpenAI's stream framing over the raw response: `data: <chunk JSON>\n\n` per chunk, the usage
 * chunk (`choices: []`) when asked, then `data: [DONE]\n\n`. A failure after output is one in-band
 * `data: {"error": …}` (what the SDK raises as APIError), then the end without [DONE].
 */
export class OpenAiStream implements CompletionSink {
  private head: CompletionHead | null = null;

  constructor(
    private readonly reply: FastifyReply,
    private readonly includeUsage: boolean,
  ) {}

  get opened(): boolean {
    return this.head !== null;
  }

  start(head: CompletionHead): void {
    this.head = head;
    this.reply.hijack();
    const raw = this.reply.raw;
    for (const [name, value] of Object.entries(this.reply.getHeaders())) {
      if (value !== undefined && !raw.hasHeader(name)) raw.setHeader(name, value);
    }
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    this.write(chunk(head, { role: 'assistant', content: '', refusal: null }));
  }

  delta(text: string): void {
    this.write(chunk(this.head!, { content: text }));
  }

  toolCall(piece: { index: number; id?: string; name?: string; arguments: string }): void {
    this.write(chunk(this.head!, toolCallDelta(piece)));
  }

  finish(result: CompletionResult): void {
    if (result.error) {
      this.write(
        JSON.stringify({
          error: {
            message: result.error.message,
            type: 'server_error',
            param: null,
            code: result.error.code,
          },
        }),
      );
      return this.end();
    }
    this.write(chunk(result.head, {}, result.finishReason));
    if (this.includeUsage) this.write(usageChunk(result));
    this.raw().write(DONE);
    this.end();
  }

  /** A failure once the stream is open (e.g. the ledger write): in-band, then the end. */
  fail(error: unknown): void {
    const { body } = openAiErrorOf(error, this.reply.request);
    this.write(JSON.stringify(body));
    this.end();
  }

  private write(json: string): void {
    const raw = this.raw();
    if (!raw.destroyed) raw.write(`data: ${json}\n\n`);
  }

  private end(): void {
    const raw = this.raw();
    if (!raw.destroyed) raw.end();
  }

  private raw() {
    return this.reply.raw;
  }
}
