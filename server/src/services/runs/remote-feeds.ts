import { LiveRun, type RunEnd } from './live-run.js';
import type { RelayMessage, RunRelay, RunSnapshot, TurnAnnouncement } from './run-relay.js';

export interface RemoteFeedEvents {
  /** A run of another instance was found live (no `turn` was seen for it). */
  onRun(conversationId: string, run: LiveRun): void;
  onTurn(conversationId: string, run: LiveRun, announcement: TurnAnnouncement): void;
  /** A mirror could not be completed (its end was missed): the conversation's viewers must re-read. */
  onLost(conversationId: string): void;
  onError(error: unknown): void;
}

interface Feed {
  conversationId: string;
  ready: Promise<void>;
  unsubscribe: (() => void) | null;
  /** Unfinished runs of other instances, by answer id (usually one). */
  mirrors: Map<string, LiveRun>;
  current: LiveRun | null;
  lastHeard: number;
  /** The snapshot fetch in progress, if any. */
  syncing: Promise<void> | null;
  syncAgain: boolean;
  closed: boolean;
}

/** A subscription that takes longer is waited for in the background (Redis down: local runs only). */
const FOLLOW_TIMEOUT_MS = 2_000;
/** A mirror that heard nothing for this long is checked against the shared state (a dead instance). */
const QUIET_CHECK_MS = 10_000;

/**
 * This instance's view of runs on other instances, for the conversations watched here: one
 * subscription per conversation, and a mirror (a LiveRun fed from the relay) per remote run. A mirror
 * starts from the shared snapshot and applies each relayed piece at its offset, so a duplicate is
 * skipped; a gap (a missed message) fetches the snapshot again, which always covers what was missed.
 */
export class RemoteFeeds {
  private readonly feeds = new Map<string, Feed>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly relay: RunRelay,
    private readonly events: RemoteFeedEvents,
  ) {
    relay.onResubscribed(() => {
      for (const feed of this.feeds.values()) void this.sync(feed);
    });
    this.timer = setInterval(() => this.checkQuiet(), QUIET_CHECK_MS).unref();
  }

  get mirrorCount(): number {
    let count = 0;
    for (const feed of this.feeds.values()) count += feed.mirrors.size;
    return count;
  }

  current(conversationId: string): LiveRun | null {
    const run = this.feeds.get(conversationId)?.current ?? null;
    return run && !run.ended ? run : null;
  }

  /** The conversation's unfinished run as shared by the relay (for a read), or null. */
  async snapshot(conversationId: string): Promise<RunSnapshot | null> {
    const snapshot = await this.relay.snapshot(conversationId);
    return snapshot && !snapshot.end ? snapshot : null;
  }

  /**
   * Subscribes to the conversation (once for all its viewers) and mirrors its current remote run;
   * `hasLocal` says whether the run is this instance's own (then nothing is mirrored).
   */
  async follow(conversationId: string, hasLocal: () => boolean): Promise<void> {
    let feed = this.feeds.get(conversationId);
    if (!feed) {
      const created: Feed = {
        conversationId,
        ready: Promise.resolve(),
        unsubscribe: null,
        mirrors: new Map(),
        current: null,
        lastHeard: Date.now(),
        syncing: null,
        syncAgain: false,
        closed: false,
      };
      created.ready = this.start(created, hasLocal);
      this.feeds.set(conversationId, created);
      feed = created;
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      feed.ready,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, FOLLOW_TIMEOUT_MS);
      }),
    ]);
    clearTimeout(timer);
  }

  unfollow(conversationId: string): void {
    const feed = this.feeds.get(conversationId);
    if (!feed) return;
    this.feeds.delete(conversationId);
    feed.closed = true;
    feed.unsubscribe?.();
    feed.mirrors.clear();
    feed.current = null;
  }

  close(): void {
    clearInterval(this.timer);
    for (const conversationId of [...this.feeds.keys()]) this.unfollow(conversationId);
  }

  private async start(feed: Feed, hasLocal: () => boolean): Promise<void> {
    try {
      const unsubscribe = await this.relay.follow(feed.conversationId, (message) =>
        this.onMessage(feed, message),
      );
      if (feed.closed) return unsubscribe();
      feed.unsubscribe = unsubscribe;
      if (!hasLocal()) await this.sync(feed);
    } catch (error) {
      this.events.onError(error);
    }
  }

  private onMessage(feed: Feed, message: RelayMessage): void {
    if (feed.closed || message.instanceId === this.relay.instanceId) return;
    feed.lastHeard = Date.now();
    if (message.kind === 'turn') {
      const id = message.meta.assistantMessageId;
      if (feed.mirrors.has(id)) return;
      const run = new LiveRun(message.meta, message.userId);
      feed.mirrors.set(id, run);
      feed.current = run;
      this.events.onTurn(feed.conversationId, run, message.announcement);
      return;
    }
    const run = feed.mirrors.get(message.assistantMessageId);
    if (message.kind === 'delta') {
      if (!run || run.applyAt(message.start, message.text) === 'gap') void this.sync(feed);
      return;
    }
    if (!run) return;
    // The end says how long the answer is: a mirror that lacks text gets it from the snapshot.
    if (run.seq < message.seq) void this.sync(feed);
    else this.finishMirror(feed, run, message.end);
  }

  /** Fetches the snapshot again (at most one at a time; one more if asked meanwhile). */
  private sync(feed: Feed): Promise<void> {
    if (feed.syncing) {
      feed.syncAgain = true;
      return feed.syncing;
    }
    feed.syncing = this.syncNow(feed).finally(() => {
      feed.syncing = null;
    });
    return feed.syncing;
  }

  private async syncNow(feed: Feed): Promise<void> {
    do {
      feed.syncAgain = false;
      let snapshot: RunSnapshot | null;
      try {
        snapshot = await this.relay.snapshot(feed.conversationId);
      } catch (error) {
        this.events.onError(error);
        if (feed.mirrors.size > 0) this.lose(feed);
        return;
      }
      if (feed.closed) return;
      this.apply(feed, snapshot);
    } while (feed.syncAgain && !feed.closed);
  }

  private apply(feed: Feed, snapshot: RunSnapshot | null): void {
    const id = snapshot?.meta.assistantMessageId;
    let lost = false;
    for (const [mirrorId, run] of feed.mirrors) {
      if (snapshot && mirrorId === id) {
        run.applyAt(0, snapshot.text);
        if (snapshot.end) this.finishMirror(feed, run, snapshot.end);
      } else {
        lost = true; // its end was missed and the shared state moved on (or expired)
      }
    }
    if (lost) return this.lose(feed);
    if (!snapshot || snapshot.end || snapshot.instanceId === this.relay.instanceId) return;
    if (feed.mirrors.has(snapshot.meta.assistantMessageId)) return;
    const run = new LiveRun(snapshot.meta, snapshot.userId);
    run.append(snapshot.text);
    feed.mirrors.set(snapshot.meta.assistantMessageId, run);
    feed.current = run;
    feed.lastHeard = Date.now();
    this.events.onRun(feed.conversationId, run);
  }

  private lose(feed: Feed): void {
    feed.mirrors.clear();
    feed.current = null;
    this.events.onLost(feed.conversationId);
  }

  private finishMirror(feed: Feed, run: LiveRun, end: RunEnd): void {
    run.finish(end);
    feed.mirrors.delete(run.assistantMessageId);
    if (feed.current === run) feed.current = null;
  }

  private checkQuiet(): void {
    const now = Date.now();
    for (const feed of this.feeds.values()) {
      if (feed.mirrors.size > 0 && now - feed.lastHeard >= QUIET_CHECK_MS) {
        feed.lastHeard = now;
        void this.sync(feed);
      }
    }
  }
}
