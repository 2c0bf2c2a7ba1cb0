import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { LiveRun, type RunEnd } from '../../src/services/runs/live-run.js';
import { CATCH_UP_CHARS, RunFollower, type RunOutput } from '../../src/services/runs/run-follower.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const meta = (id: string) => ({
  conversationId: `c-${id}`,
  userMessageId: `u-${id}`,
  assistantMessageId: id,
});
const done = (seq: number): RunEnd => ({
  event: 'done',
  data: {
    assistantMessageId: 'a',
    finishReason: 'stop',
    usage: { promptTokens: 1, completionTokens: 1 },
    seq,
  },
});

/** An output that records what it got; `full` makes every write report a full transport. */
class Recorder implements RunOutput {
  readonly pieces: Array<{ text: string; seq: number }> = [];
  ended: RunEnd | null = null;
  full = false;
  closed = false;
  private waiters: Array<() => void> = [];
  delta(text: string, seq: number): boolean {
    this.pieces.push({ text, seq });
    return !this.full;
  }
  end(end: RunEnd): void {
    this.ended = end;
  }
  drained(): Promise<void> {
    if (!this.full || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  drain(): void {
    this.full = false;
    for (const resolve of this.waiters.splice(0)) resolve();
  }
  get text(): string {
    let seq = this.pieces[0] ? this.pieces[0].seq - this.pieces[0].text.length : 0;
    let text = '';
    for (const piece of this.pieces) {
      if (piece.seq - piece.text.length !== seq) throw new Error(`gap or overlap at ${seq}`);
      seq = piece.seq;
      text += piece.text;
    }
    return text;
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('a run and its replay buffer', () => {
  it('keeps its text coalesced: a bounded number of pieces however many deltas', () => {
    const run = new LiveRun(meta('a'), 'u');
    let expected = '';
    for (let index = 0; index < 100_000; index++) {
      const delta = `w${index % 10} `;
      run.append(delta);
      expected += delta;
      expect(run.chunkCount).toBeLessThanOrEqual(32);
    }
    expect(run.seq).toBe(expected.length);
    expect(run.text()).toBe(expected);
    expect(run.chunkCount).toBe(1);
    expect(run.textFrom(expected.length - 10)).toBe(expected.slice(-10));
  });

  it('never cuts a surrogate pair when it hands out a bounded piece', () => {
    const run = new LiveRun(meta('a'), 'u');
    run.append('ab😀cd');
    expect(run.textFrom(0, 3)).toBe('ab');
    expect(run.textFrom(0, 4)).toBe('ab😀');
  });

  it('applies relayed pieces at their offset: duplicates skipped, overlaps trimmed, gaps refused', () => {
    const run = new LiveRun(meta('a'), 'u');
    expect(run.applyAt(0, 'Hello')).toBe('applied');
    expect(run.applyAt(0, 'Hel')).toBe('duplicate');
    expect(run.applyAt(3, 'lo, wo')).toBe('applied');
    expect(run.applyAt(20, 'later')).toBe('gap');
    expect(run.text()).toBe('Hello, wo');
  });

  it('a late follower gets the buffered text first, as one piece, then the live deltas and the end', () => {
    const run = new LiveRun(meta('a'), 'u');
    for (const word of ['one ', 'two ', 'three ']) run.append(word);
    const late = new Recorder();
    const follower = new RunFollower(run, late, 4);
    return settle().then(async () => {
      expect(late.pieces).toEqual([{ text: 'two three ', seq: 14 }]);
      run.append('four');
      run.finish(done(run.seq));
      await follower.finished;
      expect(late.text).toBe('two three four');
      expect(late.ended).toEqual(done(18));
      expect(run.listenerCount).toBe(0);
    });
  });

  it('a full output never holds the run: it catches up in bounded pieces once drained, exactly once', async () => {
    const run = new LiveRun(meta('a'), 'u');
    const slow = new Recorder();
    const fast = new Recorder();
    new RunFollower(run, slow, 0);
    const fastDone = new RunFollower(run, fast, 0).finished;
    slow.full = true;
    const big = 'x'.repeat(CATCH_UP_CHARS * 3 + 5);
    run.append('a');
    run.append(big);
    run.append('b');
    run.finish(done(run.seq));
    await fastDone;
    expect(fast.text).toBe(`a${big}b`);
    expect(slow.pieces).toEqual([{ text: 'a', seq: 1 }]);
    slow.drain();
    await settle();
    expect(slow.text).toBe(`a${big}b`);
    expect(Math.max(...slow.pieces.map((piece) => piece.text.length))).toBeLessThanOrEqual(CATCH_UP_CHARS);
    expect(slow.ended).toMatchObject({ event: 'done' });
  });

  it('a follower whose output closed lets go of the run; the run goes on', () => {
    const run = new LiveRun(meta('a'), 'u');
    const gone = new Recorder();
    new RunFollower(run, gone, 0);
    run.append('a');
    gone.closed = true;
    run.append('b');
    expect(run.listenerCount).toBe(0);
    expect(run.text()).toBe('ab');
  });

  it('500 live runs with 2 KB of text and a follower each cost a bounded, measured heap', () => {
    const text = 'lorem ipsum '.repeat(170); // ≈ 2 KB, the size of a typical answer
    gc();
    gc();
    const before = process.memoryUsage().heapUsed;
    const runs: LiveRun[] = [];
    for (let index = 0; index < 500; index++) {
      const run = new LiveRun(meta(`run-${index}`), 'user');
      // A viewer whose transport takes everything (an SSE socket: what it holds is the kernel's).
      new RunFollower(run, { delta: () => true, drained: () => Promise.resolve() }, 0);
      // As a model streams it: 4-character deltas.
      for (let at = 0; at < text.length; at += 4) run.append(text.slice(at, at + 4));
      runs.push(run);
    }
    gc();
    gc();
    const perRun = (process.memoryUsage().heapUsed - before) / runs.length;
    console.log(`live run memory: ${Math.round(perRun)} bytes per run (${text.length} chars of text)`);
    // The text (one byte a char) plus the run, its follower and a few pieces: far below one object per delta.
    expect(perRun).toBeLessThan(text.length + 16 * 1024);
    expect(Math.max(...runs.map((run) => run.chunkCount))).toBeLessThanOrEqual(32);
    expect(runs.every((run) => run.seq === text.length)).toBe(true);
  });
});
