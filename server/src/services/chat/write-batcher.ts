interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Most rows in one statement. */
const MAX_BATCH = 100;

/**
 * Group commit: rows added while the previous write is in flight (or in the same tick) are written
 * together, in one statement and one commit. Alone, a row is written at once (one loop turn later);
 * under load, fifty turns starting or ending together cost one statement instead of fifty queued
 * behind the pool. A batch that fails is written again row by row, so one bad row fails only its
 * own turn.
 */
export class WriteBatcher<T> {
  private queue: Pending<T>[] = [];
  private scheduled = false;
  private writing = false;

  constructor(private readonly write: (items: readonly T[]) => Promise<void>) {}

  /** Resolves once the row is committed; rejects with the error of its own write. */
  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
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
        await this.writeBatch(this.queue.splice(0, MAX_BATCH));
      }
    } finally {
      this.writing = false;
    }
  }

  private async writeBatch(batch: Pending<T>[]): Promise<void> {
    try {
      await this.write(batch.map((pending) => pending.item));
      for (const pending of batch) pending.resolve();
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      await Promise.all(
        batch.map((pending) => this.write([pending.item]).then(pending.resolve, pending.reject)),
      );
    }
  }
}
