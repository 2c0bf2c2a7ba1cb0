import { randomUUID } from 'node:crypto';
import type { LiveRun, RunEnd } from './live-run.js';
import { RelayPublisher } from './relay-publisher.js';
import type { RunRelay, TurnAnnouncement } from './run-relay.js';
import { RemoteFeeds } from './remote-feeds.js';

/** Told about a conversation's runs while watching it (the live stream). */
export interface FeedListener {
  /** A run began (`announcement` set), or one was found live whose start was not seen here (null). */
  onRun(run: LiveRun, announcement: TurnAnnouncement | null): void;
  /** What this instance relays can no longer be vouched for (missed messages): end the stream. */
  onLost(): void;
}

/** A viewer's hold on a conversation's feed. */
export interface Watch {
  /** The conversation's unfinished run (this instance's, or the mirror of another's), or null. */
  current(): LiveRun | null;
  close(): void;
}

/** The slice of a pino logger the hub uses. */
export interface RunLogger {
  warn(object: object, message: string): void;
}

export interface RunHubOptions {
  /** Several instances: runs are shared through it. Absent: this instance's runs only. */
  relay?: RunRelay;
  logger?: RunLogger;
  /** How often a run's new text goes to the relay. Default 50 ms. */
  publishIntervalMs?: number;
}

const silentLogger: RunLogger = { warn: () => {} };
const RELAY_ERROR_LOG_MS = 60_000;

/**
 * The runs of this instance and who watches which conversation. A run is begun once its start is
 * saved and ended after its end is; in between, every delta goes to its followers (RunFollower) and,
 * with a relay, to the other instances. Watching a conversation gives its current run (replayed from
 * the buffer) and every run that begins after, here or, through the relay, on another instance.
 */
export class RunHub {
  readonly instanceId: string;
  private readonly local = new Map<string, LiveRun>();
  private readonly listeners = new Map<string, Set<FeedListener>>();
  private readonly publisher: RelayPublisher | null;
  private readonly remote: RemoteFeeds | null;
  private closed = false;

  constructor(options: RunHubOptions = {}) {
    const logger = options.logger ?? silentLogger;
    this.instanceId = options.relay?.instanceId ?? randomUUID();
    let lastErrorLog = 0;
    const onError = (error: unknown) => {
      const now = Date.now();
      if (now - lastErrorLog < RELAY_ERROR_LOG_MS) return;
      lastErrorLog = now;
      logger.warn({ err: error }, 'run relay failed; viewers on other instances may lag or reconnect');
    };
    this.publisher = options.relay
      ? new RelayPublisher({
          relay: options.relay,
          intervalMs: options.publishIntervalMs ?? 50,
          keepAliveMs: 10_000,
          onError,
        })
      : null;
    this.remote = options.relay
      ? new RemoteFeeds(options.relay, {
          onRun: (conversationId, run) => this.tell(conversationId, (listener) => listener.onRun(run, null)),
          onTurn: (conversationId, run, announcement) =>
            this.tell(conversationId, (listener) => listener.onRun(run, announcement)),
          onLost: (conversationId) => this.tell(conversationId, (listener) => listener.onLost()),
          onError,
        })
      : null;
  }

  /** Live runs of this instance. */
  get size(): number {
    return this.local.size;
  }

  /** Conversations watched here, and by how many viewers. */
  stats(): { runs: number; conversations: number; viewers: number; mirrors: number } {
    let viewers = 0;
    for (const set of this.listeners.values()) viewers += set.size;
    return {
      runs: this.local.size,
      conversations: this.listeners.size,
      viewers,
      mirrors: this.remote?.mirrorCount ?? 0,
    };
  }

  /** A run of this instance began: its start is saved. Watchers are told, then other instances. */
  begin(run: LiveRun, announcement: TurnAnnouncement): void {
    this.local.set(run.conversationId, run);
    this.tell(run.conversationId, (listener) => listener.onRun(run, announcement));
    this.publisher?.begin(run, announcement);
  }

  /** The run ended and its end is saved: every follower gets the end after the last delta. */
  end(run: LiveRun, end: RunEnd): void {
    if (this.local.get(run.conversationId) === run) this.local.delete(run.conversationId);
    run.finish(end);
    void this.publisher?.end(run, end);
  }

  /** This instance's unfinished run of a conversation, or the mirror of another instance's. */
  current(conversationId: string): LiveRun | null {
    return this.local.get(conversationId) ?? this.remote?.current(conversationId) ?? null;
  }

  /**
   * The text so far of the conversation's unfinished run, wherever it runs (for the conversation
   * read): this instance's buffer, a mirror, or the relay's shared state. Null when none is live.
   */
  async peek(conversationId: string): Promise<{ assistantMessageId: string; text: string } | null> {
    const run = this.current(conversationId);
    if (run) return { assistantMessageId: run.assistantMessageId, text: run.text() };
    if (!this.remote) return null;
    const snapshot = await this.remote.snapshot(conversationId);
    return snapshot && { assistantMessageId: snapshot.meta.assistantMessageId, text: snapshot.text };
  }

  /**
   * Starts watching a conversation. Resolves once every run that begins from now on will be told
   * (with a relay: subscribed, and the current run of another instance mirrored).
   */
  async watch(conversationId: string, listener: FeedListener): Promise<Watch> {
    if (this.closed) throw new Error('the run hub is closed');
    let set = this.listeners.get(conversationId);
    if (!set) {
      set = new Set();
      this.listeners.set(conversationId, set);
    }
    // Held (without the listener) while subscribing, so the feed is not dropped meanwhile.
    const placeholder: FeedListener = { onRun: () => {}, onLost: () => {} };
    set.add(placeholder);
    const release = () => {
      set.delete(placeholder);
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(conversationId) === set) {
        this.listeners.delete(conversationId);
        this.remote?.unfollow(conversationId);
      }
    };
    try {
      if (this.remote) await this.remote.follow(conversationId, () => this.local.has(conversationId));
    } catch (error) {
      release();
      throw error;
    }
    set.delete(placeholder);
    set.add(listener);
    return { current: () => this.current(conversationId), close: release };
  }

  /** Shutdown: every watcher's stream ends (runs are finalised by the chat service before). */
  close(): void {
    this.closed = true;
    const sets = [...this.listeners.values()];
    for (const set of sets) for (const listener of [...set]) listener.onLost();
    this.publisher?.close();
    this.remote?.close();
  }

  private tell(conversationId: string, call: (listener: FeedListener) => void): void {
    const set = this.listeners.get(conversationId);
    if (!set) return;
    for (const listener of [...set]) call(listener);
  }
}
