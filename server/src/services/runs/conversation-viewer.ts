import type { LiveReadyEvent } from '@app/common';
import type { LiveRun, RunEnd } from './live-run.js';
import { RunFollower, type RunOutput } from './run-follower.js';
import type { FeedListener, Watch } from './run-hub.js';
import type { TurnAnnouncement } from './run-relay.js';

/** A named-event stream (the SSE writer has this shape). `json` is one line of JSON. */
export interface EventOutput {
  send(event: string, json: string): boolean;
  drained(): Promise<void>;
  readonly closed: boolean;
  end(): void;
}

/** Where a viewer's client stands: the live run it knows and how much of its text it has. */
export interface ViewerPosition {
  /** The answer the client has (its id from the read); absent: whatever is live. */
  assistantMessageId?: string;
  /** How much of it the client has (`live.seq` of the read); the stream continues from there. */
  after: number;
}

/**
 * Runs waiting behind the one being written to a client that reads slowly: past this, the stream
 * ends and the client re-reads (each waiting run holds its text).
 */
const MAX_WAITING_RUNS = 4;

interface Pending {
  run: LiveRun;
  announcement: TurnAnnouncement | null;
  from: number;
}

/**
 * One client watching a conversation (GET /api/conversations/:id/live): `ready`, then the current
 * run from where the client stands, then every run that begins, each announced by `turn` and written
 * `meta`, `delta`*, `done` | `error`, one run after the other. Leaving only detaches.
 */
export class ConversationViewer implements FeedListener {
  private watch: Watch | null = null;
  private readonly waiting: Pending[] = [];
  private active: { run: LiveRun; follower: RunFollower } | null = null;
  private started = false;

  constructor(
    private readonly conversationId: string,
    private readonly output: EventOutput,
  ) {}

  /** Attached to the feed: writes `ready` and the current run from the client's position. */
  start(watch: Watch, updatedAt: string, position: ViewerPosition): void {
    this.watch = watch;
    this.started = true;
    const run = watch.current();
    const ready: LiveReadyEvent = {
      conversationId: this.conversationId,
      updatedAt,
      live: run ? { assistantMessageId: run.assistantMessageId, seq: run.seq } : null,
    };
    this.output.send('ready', JSON.stringify(ready));
    if (run) {
      const known =
        position.assistantMessageId === undefined || position.assistantMessageId === run.assistantMessageId;
      const from = known && position.after <= run.seq ? position.after : 0;
      // A run announced while subscribing is already waiting: it is this one.
      const queued = this.waiting.findIndex((pending) => pending.run === run);
      if (queued >= 0) this.waiting.splice(queued, 1);
      this.waiting.unshift({ run, announcement: null, from });
    }
    this.next();
  }

  onRun(run: LiveRun, announcement: TurnAnnouncement | null): void {
    if (this.output.closed) return this.close();
    if (this.waiting.some((pending) => pending.run === run) || this.active?.run === run) return;
    if (this.waiting.length >= MAX_WAITING_RUNS) return this.onLost();
    this.waiting.push({ run, announcement, from: 0 });
    this.next();
  }

  onLost(): void {
    this.output.end();
    this.close();
  }

  /** The client left (or the stream ended): detach from the run and the feed. */
  close(): void {
    this.waiting.length = 0;
    this.active?.follower.detach();
    this.active = null;
    this.watch?.close();
    this.watch = null;
  }

  private next(): void {
    if (!this.started || this.active || this.output.closed) return;
    const pending = this.waiting.shift();
    if (!pending) return;
    const { run, announcement, from } = pending;
    if (announcement) this.output.send('turn', JSON.stringify(announcement));
    this.output.send('meta', JSON.stringify({ ...run.meta, seq: from }));
    const follower = new RunFollower(run, this.runOutput(), from);
    this.active = { run, follower };
    void follower.finished.then(() => {
      if (this.active?.follower !== follower) return;
      this.active = null;
      if (this.output.closed) this.close();
      else this.next();
    });
  }

  private runOutput(): RunOutput {
    const output = this.output;
    return {
      delta: (text, seq) => output.send('delta', `{"text":${JSON.stringify(text)},"seq":${seq}}`),
      end: (end: RunEnd) => void output.send(end.event, JSON.stringify(end.data)),
      drained: () => output.drained(),
      get closed() {
        return output.closed;
      },
    };
  }
}
