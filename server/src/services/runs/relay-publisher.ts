import type { LiveRun, RunEnd, RunListener } from './live-run.js';
import type { RunRelay, TurnAnnouncement } from './run-relay.js';

export interface RelayPublisherOptions {
  relay: RunRelay;
  /** New text of a run is sent at most this often (one relay call per run per tick). */
  intervalMs: number;
  /** Quiet runs' shared state is kept alive this often. */
  keepAliveMs: number;
  onError: (error: unknown) => void;
}

interface Published {
  /** How much of the run's text the relay has. */
  seq: number;
  /** Every relay call of the run, in order (begin, appends, end). */
  chain: Promise<void>;
  /** A send is queued on the chain; new text rides with it. */
  queued: boolean;
  dirty: boolean;
}

/**
 * Publishes this instance's runs to the relay, coalesced: the text a run gained since its last send
 * goes as one piece per tick (never one relay call per token), each run's calls in order on its own
 * chain, so a slow or failing relay delays only its viewers on other instances and never the run.
 * A failed send is retried from the same offset on the next tick.
 */
export class RelayPublisher implements RunListener {
  private readonly runs = new Map<LiveRun, Published>();
  private timer: NodeJS.Timeout | null = null;
  private keepAliveTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: RelayPublisherOptions) {}

  begin(run: LiveRun, announcement: TurnAnnouncement): void {
    const state: Published = {
      seq: 0,
      chain: this.options.relay.begin(run, announcement).catch(this.options.onError),
      queued: false,
      dirty: run.seq > 0,
    };
    this.runs.set(run, state);
    run.listen(this);
    this.keepAliveTimer ??= setInterval(() => void this.keepAlive(), this.options.keepAliveMs).unref();
    if (state.dirty) this.schedule();
  }

  onDelta(run: LiveRun): void {
    const state = this.runs.get(run);
    if (!state) return;
    state.dirty = true;
    this.schedule();
  }

  onEnd(): void {}

  /** The run ended: what it still had to send goes first, then the end. */
  end(run: LiveRun, end: RunEnd): Promise<void> {
    const state = this.runs.get(run);
    if (!state) return Promise.resolve();
    this.runs.delete(run);
    if (this.runs.size === 0) this.stopTimers();
    state.chain = state.chain
      .then(() => this.send(run, state))
      .then(() => this.options.relay.end(run, end))
      .catch(this.options.onError);
    return state.chain;
  }

  close(): void {
    this.stopTimers();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.tick(), this.options.intervalMs);
  }

  private tick(): void {
    this.timer = null;
    for (const [run, state] of this.runs) {
      if (!state.dirty || state.queued) continue;
      state.queued = true;
      state.chain = state.chain
        .then(() => {
          state.queued = false;
          state.dirty = false;
          return this.send(run, state);
        })
        .catch((error: unknown) => {
          state.dirty = true;
          this.options.onError(error);
        })
        .finally(() => {
          if (state.dirty && this.runs.has(run)) this.schedule();
        });
    }
  }

  private async send(run: LiveRun, state: Published): Promise<void> {
    if (state.seq >= run.seq) return;
    const start = state.seq;
    const text = run.textFrom(start);
    if (await this.options.relay.append(run, start, text)) {
      state.seq = start + text.length;
      return;
    }
    const whole = run.text();
    await this.options.relay.reset(run, whole);
    state.seq = whole.length;
  }

  private async keepAlive(): Promise<void> {
    const quiet = [...this.runs].filter(([, state]) => !state.dirty).map(([run]) => run);
    if (quiet.length > 0) await this.options.relay.keepAlive(quiet).catch(this.options.onError);
  }

  private stopTimers(): void {
    if (this.keepAliveTimer !== null) clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = null;
    if (this.timer !== null && this.runs.size === 0) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }
}
