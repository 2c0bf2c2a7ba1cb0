import { describe, expect, it } from 'vitest';
import { LiveRun, type RunEnd } from '../../src/services/runs/live-run.js';
import type { RelayMessage, RunRelay, RunSnapshot } from '../../src/services/runs/run-relay.js';
import { RunHub, type FeedListener } from '../../src/services/runs/run-hub.js';
import { RunFollower } from '../../src/services/runs/run-follower.js';
import { announceTurn } from '../../src/services/runs/turn-announcement.js';

/**
 * One in-memory "Redis" shared by several hubs: per conversation the latest run's snapshot and the
 * subscribers. `drop` loses the next messages (a subscription cut), to check that a mirror recovers.
 */
class MemoryBus {
  readonly snapshots = new Map<string, RunSnapshot>();
  readonly subscribers = new Map<string, Set<(message: RelayMessage) => void>>();
  dropNext = 0;
  publish(conversationId: string, message: RelayMessage): void {
    if (this.dropNext > 0) {
      this.dropNext--;
      return;
    }
    for (const handler of this.subscribers.get(conversationId) ?? []) handler(message);
  }
}

class MemoryRelay implements RunRelay {
  private resubscribed: Array<() => void> = [];
  constructor(
    readonly instanceId: string,
    private readonly bus: MemoryBus,
  ) {}
  async begin(run: LiveRun, announcement: Parameters<RunRelay['begin']>[1]) {
    this.bus.snapshots.set(run.conversationId, {
      instanceId: this.instanceId,
      userId: run.userId,
      meta: run.meta,
      text: '',
      end: null,
    });
    this.bus.publish(run.conversationId, {
      kind: 'turn',
      instanceId: this.instanceId,
      userId: run.userId,
      meta: run.meta,
      announcement,
    });
  }
  async append(run: LiveRun, start: number, text: string) {
    const snapshot = this.bus.snapshots.get(run.conversationId);
    if (!snapshot || snapshot.text.length !== start) return false;
    snapshot.text += text;
    this.bus.publish(run.conversationId, {
      kind: 'delta',
      instanceId: this.instanceId,
      assistantMessageId: run.assistantMessageId,
      start,
      text,
    });
    return true;
  }
  async reset(run: LiveRun, text: string) {
    this.bus.snapshots.set(run.conversationId, {
      instanceId: this.instanceId,
      userId: run.userId,
      meta: run.meta,
      text,
      end: null,
    });
  }
  async keepAlive() {}
  async end(run: LiveRun, end: RunEnd) {
    const snapshot = this.bus.snapshots.get(run.conversationId);
    if (snapshot) snapshot.end = end;
    this.bus.publish(run.conversationId, {
      kind: 'end',
      instanceId: this.instanceId,
      assistantMessageId: run.assistantMessageId,
      seq: run.seq,
      end,
    });
  }
  async follow(conversationId: string, onMessage: (message: RelayMessage) => void) {
    let set = this.bus.subscribers.get(conversationId);
    if (!set) this.bus.subscribers.set(conversationId, (set = new Set()));
    set.add(onMessage);
    return () => set.delete(onMessage);
  }
  async snapshot(conversationId: string) {
    const snapshot = this.bus.snapshots.get(conversationId);
    return snapshot ? { ...snapshot } : null;
  }
  onResubscribed(listener: () => void) {
    this.resubscribed.push(listener);
  }
  resubscribe() {
    for (const listener of this.resubscribed) listener();
  }
  async close() {}
}

const until = async (check: () => boolean) => {
  for (let attempt = 0; attempt < 200 && !check(); attempt++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

function startRun(hub: RunHub, id: string, conversationId = 'c1'): LiveRun {
  const run = new LiveRun({ conversationId, userMessageId: `u-${id}`, assistantMessageId: id }, 'alice');
  hub.begin(
    run,
    announceTurn({
      conversationId,
      userMessage: { id: `u-${id}`, content: 'Hi' },
      assistant: { id, model: 'm' },
      removedMessageIds: [],
      at: new Date(),
    }),
  );
  return run;
}

const done = (seq: number): RunEnd => ({
  event: 'done',
  data: {
    assistantMessageId: 'x',
    finishReason: 'stop',
    usage: { promptTokens: 0, completionTokens: 0 },
    seq,
  },
});

/** Records what a watcher of the conversation is told. */
function watcher() {
  const runs: LiveRun[] = [];
  let lost = 0;
  const listener: FeedListener = {
    onRun: (run) => runs.push(run),
    onLost: () => lost++,
  };
  return { listener, runs, lost: () => lost };
}

describe('runs of another instance, mirrored through a relay', () => {
  it('a watcher elsewhere mirrors the run from its snapshot, then each piece, to the same text', async () => {
    const bus = new MemoryBus();
    const a = new RunHub({ relay: new MemoryRelay('A', bus), publishIntervalMs: 1 });
    const b = new RunHub({ relay: new MemoryRelay('B', bus), publishIntervalMs: 1 });
    const run = startRun(a, 'r1');
    run.append('Hello ');
    await until(() => bus.snapshots.get('c1')?.text === 'Hello ');
    const seen = watcher();
    const watch = await b.watch('c1', seen.listener);
    const mirror = watch.current()!;
    expect(mirror.text()).toBe('Hello ');
    run.append('world');
    run.append('!');
    await until(() => mirror.seq === run.seq);
    a.end(run, done(run.seq));
    await until(() => mirror.ended);
    expect(mirror.text()).toBe('Hello world!');
    expect(watch.current()).toBeNull();
    watch.close();
    expect(b.stats().conversations).toBe(0);
  });

  it('a missed piece is a gap: the mirror fetches the snapshot again and ends with no hole', async () => {
    const bus = new MemoryBus();
    const a = new RunHub({ relay: new MemoryRelay('A', bus), publishIntervalMs: 1 });
    const b = new RunHub({ relay: new MemoryRelay('B', bus), publishIntervalMs: 1 });
    const seen = watcher();
    const watch = await b.watch('c1', seen.listener);
    const run = startRun(a, 'r1');
    await until(() => seen.runs.length === 1);
    const mirror = seen.runs[0]!;
    const follower = { text: '' };
    new RunFollower(mirror, { delta: (text) => ((follower.text += text), true), drained: async () => {} });
    run.append('one ');
    await until(() => mirror.seq === 4);
    bus.dropNext = 1; // the next relayed piece never arrives
    run.append('two ');
    await until(() => bus.snapshots.get('c1')?.text === 'one two ');
    run.append('three');
    await until(() => mirror.seq === run.seq);
    expect(mirror.text()).toBe('one two three');
    expect(follower.text).toBe('one two three');
    expect(seen.lost()).toBe(0);
    watch.close();
  });

  it('a mirror whose end was missed while another run replaced it is lost: the watcher re-reads', async () => {
    const bus = new MemoryBus();
    const a = new RunHub({ relay: new MemoryRelay('A', bus), publishIntervalMs: 1 });
    const relayB = new MemoryRelay('B', bus);
    const b = new RunHub({ relay: relayB, publishIntervalMs: 1 });
    const seen = watcher();
    const watch = await b.watch('c1', seen.listener);
    const first = startRun(a, 'r1');
    await until(() => seen.runs.length === 1);
    first.append('a');
    await until(() => bus.snapshots.get('c1')?.text === 'a');
    // B's subscription is cut for the end of r1 and the start of r2.
    bus.dropNext = 1_000;
    a.end(first, done(first.seq));
    startRun(a, 'r2');
    await new Promise((resolve) => setTimeout(resolve, 20));
    bus.dropNext = 0;
    relayB.resubscribe();
    await until(() => seen.lost() === 1);
    watch.close();
  });

  it('a run of this instance is never mirrored: its own watchers follow the run itself', async () => {
    const bus = new MemoryBus();
    const a = new RunHub({ relay: new MemoryRelay('A', bus), publishIntervalMs: 1 });
    const run = startRun(a, 'r1');
    const seen = watcher();
    const watch = await a.watch('c1', seen.listener);
    expect(watch.current()).toBe(run);
    expect(a.stats().mirrors).toBe(0);
    watch.close();
  });
});
