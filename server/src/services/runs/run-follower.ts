import type { LiveRun, RunEnd, RunListener } from './live-run.js';

/** Where a follower writes one run: an SSE response, or a test's recorder. */
export interface RunOutput {
  /** One piece of the answer ending at `seq`. False: the transport is full (wait for `drained`). */
  delta(text: string, seq: number): boolean;
  /** The run's last event (an output that needs none has none). */
  end?(end: RunEnd): void;
  /** Resolves when the transport can take more, or at once when it is gone. */
  drained(): Promise<void>;
  /** True once the transport is gone: the follower lets go of the run. */
  readonly closed?: boolean;
}

/** A follower that fell behind catches up in pieces of at most this many code units. */
export const CATCH_UP_CHARS = 16_384;

/**
 * Delivers one run to one output, exactly once and in order: the text from `from` on (what the
 * viewer lacks), then each delta as it arrives, then the end. A full transport never holds the run
 * back: the follower stops writing, and once the transport drained it writes what it missed, read
 * from the run's buffer in bounded pieces. The run goes on whatever its viewers do.
 */
export class RunFollower implements RunListener {
  /** Resolves once the end was written, or the output closed, or the follower was detached. */
  readonly finished: Promise<void>;
  private sent: number;
  private catchingUp = false;
  private done = false;
  private resolveFinished!: () => void;

  constructor(
    private readonly run: LiveRun,
    private readonly output: RunOutput,
    from = 0,
  ) {
    this.sent = Math.min(from, run.seq);
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
    run.listen(this);
    if (this.sent < run.seq || run.ended) void this.catchUp();
  }

  /** Where this viewer stands in the run. */
  get seq(): number {
    return this.sent;
  }

  onDelta(run: LiveRun, text: string): void {
    if (this.catchingUp || this.done) return;
    if (this.output.closed) return this.detach();
    const start = run.seq - text.length;
    if (start !== this.sent) return void this.catchUp();
    this.sent = run.seq;
    // Full: write nothing more until it drained, then what was missed meanwhile.
    if (!this.output.delta(text, run.seq)) void this.catchUp(false);
  }

  onEnd(): void {
    if (!this.catchingUp) void this.catchUp();
  }

  /** Lets go of the run (the viewer left); the run is not affected. */
  detach(): void {
    if (this.done) return;
    this.done = true;
    this.run.unlisten(this);
    this.resolveFinished();
  }

  private async catchUp(writable = true): Promise<void> {
    if (this.catchingUp || this.done) return;
    this.catchingUp = true;
    try {
      for (;;) {
        if (this.output.closed) return this.detach();
        if (!writable) {
          await this.output.drained();
          writable = true;
          continue;
        }
        if (this.sent < this.run.seq) {
          const piece = this.run.textFrom(this.sent, CATCH_UP_CHARS);
          this.sent += piece.length;
          writable = this.output.delta(piece, this.sent);
          continue;
        }
        if (this.run.end) {
          this.output.end?.(this.run.end);
          return this.detach();
        }
        return;
      }
    } finally {
      this.catchingUp = false;
    }
  }
}
