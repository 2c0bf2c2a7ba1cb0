import { eq } from 'drizzle-orm';
import { messages } from '../../src/db/schema.js';
import type { TestApp } from '../helpers/build-test-app.js';
import { as } from '../helpers/build-test-app.js';

export interface LiveEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Reads an SSE body that may never end: events as they come, waits by predicate. */
export class LiveReader {
  readonly events: LiveEvent[] = [];
  raw = '';
  ended = false;
  private buffer = '';
  private pending: ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']> | null = null;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();

  constructor(readonly response: Response) {
    this.reader = response.body!.getReader();
  }

  /** Reads until an event matches (searching from `from`); throws when the stream ends first. */
  async until(predicate: (event: LiveEvent) => boolean, from = 0, timeoutMs = 10_000): Promise<LiveEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find(predicate);
      if (found) return found;
      if (this.ended) throw new Error(`the stream ended first: ${JSON.stringify(this.names())}`);
      if (Date.now() > deadline)
        throw new Error(`no matching event in time: ${JSON.stringify(this.names())}`);
      await this.readMore(deadline - Date.now());
    }
  }

  /** Reads until the event named `name` arrives after index `from`. */
  next(name: string, from = 0): Promise<LiveEvent> {
    return this.until((event) => event.event === name, from);
  }

  /** The run's end (`done` or `error`) after index `from`. */
  end(from = 0): Promise<LiveEvent> {
    return this.until((event) => event.event === 'done' || event.event === 'error', from);
  }

  names(): string[] {
    return this.events.map((event) => event.event);
  }

  /** The text of the deltas between two indexes, checking each piece starts where the last ended. */
  textBetween(from: number, to = this.events.length, startSeq = 0): string {
    let seq = startSeq;
    let text = '';
    for (const event of this.events.slice(from, to)) {
      if (event.event !== 'delta') continue;
      const piece = event.data.text as string;
      const end = event.data.seq as number;
      if (end - piece.length !== seq)
        throw new Error(`gap or overlap: at ${seq}, a piece for ${end - piece.length}`);
      seq = end;
      text += piece;
    }
    return text;
  }

  cancel(): Promise<void> {
    return this.reader.cancel().catch(() => {});
  }

  private async readMore(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), Math.max(1, timeoutMs));
    });
    // A read outlives a timeout: the next call waits for the same one, so no chunk is lost.
    this.pending ??= this.reader.read();
    const result = await Promise.race([this.pending, timeout]);
    clearTimeout(timer);
    if (result === null) return;
    this.pending = null;
    if (result.done) {
      this.ended = true;
      return;
    }
    const text = this.decoder.decode(result.value, { stream: true });
    this.raw += text;
    this.buffer += text;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const frame = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      if (frame.startsWith(':')) continue;
      const lines = frame.split('\n');
      const event = lines.find((line) => line.startsWith('event: '))?.slice(7) ?? 'message';
      const data = lines.find((line) => line.startsWith('data: '))?.slice(6) ?? '{}';
      this.events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
    }
  }
}

/** Opens a conversation's live stream as `cookie`. */
export async function openLive(
  base: string,
  cookie: string,
  conversationId: string,
  position: { after?: number; assistantMessageId?: string } = {},
): Promise<LiveReader> {
  const query = new URLSearchParams();
  if (position.after !== undefined) query.set('after', String(position.after));
  if (position.assistantMessageId) query.set('assistantMessageId', position.assistantMessageId);
  const search = query.toString();
  const response = await fetch(
    `${base}/api/conversations/${conversationId}/live${search ? `?${search}` : ''}`,
    {
      headers: { ...as(cookie), accept: 'text/event-stream' },
    },
  );
  if (response.status !== 200) throw new Error(`live: HTTP ${response.status} ${await response.text()}`);
  return new LiveReader(response);
}

/** POSTs a chat message as an SSE request. */
export function postChat(
  base: string,
  cookie: string,
  chatbotId: string,
  message: string,
  init: { conversationId?: string; signal?: AbortSignal; accept?: string } = {},
): Promise<Response> {
  return fetch(`${base}/api/chatbots/${chatbotId}/chat`, {
    method: 'POST',
    headers: {
      ...as(cookie),
      'content-type': 'application/json',
      accept: init.accept ?? 'text/event-stream',
    },
    body: JSON.stringify({
      message,
      ...(init.conversationId ? { conversationId: init.conversationId } : {}),
    }),
    ...(init.signal ? { signal: init.signal } : {}),
  });
}

export async function storedMessage(t: TestApp, id: string) {
  return (await t.database.db.select().from(messages).where(eq(messages.id, id)))[0];
}

export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
