import type { MockErrorBody } from './legacy-error-bodies.js';

export interface MockUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost?: number;
}

export const doneFrame = 'data: [DONE]\n\n';

/**
 * The `legacy` flavour's serialised `chat.completion.chunk` frames for one response. The fixed head of
 * every chunk is built once, so a content delta costs one `JSON.stringify` of its text and a string
 * concatenation.
 */
export class ChunkFrames {
  private readonly head: string;
  private readonly contentPrefix: string;

  constructor(id: string, created: number, model: string) {
    this.head = `{"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"system_fingerprint":null,`;
    this.contentPrefix = `data: ${this.head}"choices":[{"index":0,"delta":{"content":`;
  }

  role(): string {
    return `data: ${this.head}"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n`;
  }

  content(text: string): string {
    return `${this.contentPrefix}${JSON.stringify(text)}},"finish_reason":null}]}\n\n`;
  }

  finish(reason: string): string {
    return `data: ${this.head}"choices":[{"index":0,"delta":{},"finish_reason":${JSON.stringify(reason)}}]}\n\n`;
  }

  /** LiteLLM's usage chunk: `choices` holds one empty delta rather than OpenAI's empty list. */
  usage(usage: MockUsage): string {
    return `data: ${this.head}"choices":[{"index":0,"delta":{}}],"usage":${JSON.stringify(usage)}}\n\n`;
  }

  /** Half a chunk: what a proxy emits when it breaks mid-write. */
  malformed(): string {
    return `data: ${this.head}"choices":[{"index":0,"delta":{"content":"unterminated\n\n`;
  }

  static inbandError(body: MockErrorBody): string {
    return `data: ${JSON.stringify(body)}\n\n`;
  }
}
