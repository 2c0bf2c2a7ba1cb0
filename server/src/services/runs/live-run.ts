import type { ChatDoneEvent, ChatErrorEvent, ChatMetaEvent } from '@app/common';

/** How a run ended, as its viewers are told (the `done` or `error` event). */
export type RunEnd = { event: 'done'; data: ChatDoneEvent } | { event: 'error'; data: ChatErrorEvent };

/** Told about every change of a run, synchronously, in order. */
export interface RunListener {
  /** `text` was appended; the run's `seq` is now the end of it. */
  onDelta(run: LiveRun, text: string): void;
  /** The run ended (after every delta). Listeners are dropped afterwards. */
  onEnd(run: LiveRun): void;
}

/**
 * The pieces are merged like a binary counter (a piece at least as long as the one before it is
 * joined to it), so a run holds O(log n) strings for n characters and copies each character
 * O(log n) times; past this many pieces (deltas of shrinking sizes) everything is joined.
 */
const MAX_CHUNKS = 32;

/** What applying a piece of text that starts at `start` did (a mirror of a run on another instance). */
export type ApplyResult = 'applied' | 'duplicate' | 'gap';

/**
 * One answer being written, and its replay buffer: the text so far (coalesced, not one object per
 * delta), the `seq` it stands at (its length in UTF-16 code units) and, once over, how it ended. A
 * viewer that arrives late reads the text from its own `seq` on, then listens. The run of this
 * instance and the mirror of a run on another one are the same object; only their feeder differs.
 */
export class LiveRun {
  end: RunEnd | null = null;
  private chunks: string[] = [];
  private size = 0;
  private listeners: RunListener[] = [];

  constructor(
    readonly meta: ChatMetaEvent,
    /** The owner (Stop and the live route are owner-checked). */
    readonly userId: string,
  ) {}

  get assistantMessageId(): string {
    return this.meta.assistantMessageId;
  }

  get conversationId(): string {
    return this.meta.conversationId;
  }

  /** The length of the text so far: the offset the next delta starts at. */
  get seq(): number {
    return this.size;
  }

  get ended(): boolean {
    return this.end !== null;
  }

  append(text: string): void {
    if (this.end !== null || text.length === 0) return;
    this.size += text.length;
    this.push(text);
    for (const listener of this.listeners) listener.onDelta(this, text);
  }

  /** Text that starts at `start` (a relayed piece): appends what is new; a gap appends nothing. */
  applyAt(start: number, text: string): ApplyResult {
    if (start > this.size) return 'gap';
    const end = start + text.length;
    if (end <= this.size) return 'duplicate';
    this.append(text.slice(this.size - start));
    return 'applied';
  }

  /** The text so far; joins the chunks so the next join only covers what came after. */
  text(): string {
    if (this.chunks.length > 1) this.chunks = [this.chunks.join('')];
    return this.chunks[0] ?? '';
  }

  /**
   * The text from `offset` on, at most `max` code units, never cutting a surrogate pair in two
   * (a piece ending in the high half of one stops before it).
   */
  textFrom(offset: number, max = Number.POSITIVE_INFINITY): string {
    const slice = this.text().slice(offset, offset + max);
    if (offset + slice.length >= this.size || slice.length < 2) return slice;
    const last = slice.charCodeAt(slice.length - 1);
    return last >= 0xd800 && last <= 0xdbff ? slice.slice(0, -1) : slice;
  }

  finish(end: RunEnd): void {
    if (this.end !== null) return;
    this.end = end;
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) listener.onEnd(this);
  }

  listen(listener: RunListener): void {
    if (this.end === null) this.listeners.push(listener);
  }

  unlisten(listener: RunListener): void {
    this.listeners = this.listeners.filter((candidate) => candidate !== listener);
  }

  get listenerCount(): number {
    return this.listeners.length;
  }

  private push(text: string): void {
    const chunks = this.chunks;
    let piece = text;
    while (chunks.length > 0 && piece.length >= chunks[chunks.length - 1]!.length) {
      // join() makes a flat string (`+` would keep both halves alive as a rope).
      piece = [chunks.pop()!, piece].join('');
    }
    chunks.push(piece);
    if (chunks.length > MAX_CHUNKS) this.chunks = [chunks.join('')];
  }

  /** Objects the buffer holds for its text (at most MAX_CHUNKS; for tests and the bench). */
  get chunkCount(): number {
    return this.chunks.length;
  }
}
