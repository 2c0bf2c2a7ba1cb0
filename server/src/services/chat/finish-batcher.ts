import type { FinishedTurn } from '../../db/repositories/message-repository.js';

interface Pending {
  turn: FinishedTurn;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Most answers in one statement. */
const MAX_BATCH = 100;

/**
 * Group commit for the end of turns: answers that end while the previous write is in flight (or in
 * the same tick) are written together, in one statement and one commit. Alone, an answer is written
 * at once (one loop turn later); under load, fifty answers ending together cost one commit instead of
 * fifty queued behind the pool. A batch that fails is written again row by row, so one bad row
 * fails only its own turn.
 */
export class FinishBatcher {
  private queue: Pending[] = [];
  private scheduled = false;
  private writing = false;

  constructor(private readonly writer: { finish(turns: readonly FinishedTurn[]): Promise<void> }) {}

  finish(turn: FinishedTurn): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ turn, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.writing) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        await this.write(this.queue.splice(0, MAX_BATCH));
      }
    } finally {
      this.writing = false;
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    try {
      await this.writer.finish(batch.map((pending) => pending.turn));
      for (const pending of batch) pending.resolve();
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      await Promise.all(
        batch.map((pending) => this.writer.finish([pending.turn]).then(pending.resolve, pending.reject)),
      );
    }
  }
}
