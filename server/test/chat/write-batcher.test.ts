import { describe, expect, it } from 'vitest';
import type { FinishedTurn } from '../../src/db/repositories/message-repository.js';
import { WriteBatcher } from '../../src/services/chat/write-batcher.js';

const turn = (id: string): FinishedTurn => ({
  messageId: id,
  conversationId: `c-${id}`,
  content: 'text',
  status: 'complete',
  errorCode: null,
  finishReason: 'stop',
  answeredBy: null,
  modelGroup: null,
  attemptedFallbacks: null,
  upstreamRequestId: null,
  promptTokens: 1,
  completionTokens: 1,
  costUsd: null,
  latencyMs: 10,
  ttftMs: 5,
  usage: null,
});

/** Records each statement (the ids it carried); slow enough that writes overlap arrivals. */
function recordingWriter(failFor: ReadonlySet<string> = new Set()) {
  const statements: string[][] = [];
  return {
    statements,
    write: async (turns: readonly FinishedTurn[]) => {
      statements.push(turns.map((t) => t.messageId));
      await new Promise((resolve) => setTimeout(resolve, 10));
      if (turns.some((t) => failFor.has(t.messageId))) throw new Error('row refused');
    },
  };
}

describe('WriteBatcher (group commit of turn starts and ends)', () => {
  it('writes turns that end in the same tick in one statement', async () => {
    const writer = recordingWriter();
    const batcher = new WriteBatcher(writer.write);
    await Promise.all(['a', 'b', 'c'].map((id) => batcher.add(turn(id))));
    expect(writer.statements).toEqual([['a', 'b', 'c']]);
  });

  it('writes a lone turn at once, and collects the ones that end while a write is in flight', async () => {
    const writer = recordingWriter();
    const batcher = new WriteBatcher(writer.write);
    const first = batcher.add(turn('a'));
    await new Promise((resolve) => setTimeout(resolve, 2)); // 'a' is being written
    const later = ['b', 'c', 'd'].map((id) => batcher.add(turn(id)));
    await Promise.all([first, ...later]);
    expect(writer.statements).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('when a batch fails, writes each turn alone: only the bad one fails', async () => {
    const writer = recordingWriter(new Set(['b']));
    const batcher = new WriteBatcher(writer.write);
    const results = await Promise.allSettled(['a', 'b', 'c'].map((id) => batcher.add(turn(id))));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(writer.statements).toEqual([['a', 'b', 'c'], ['a'], ['b'], ['c']]);
  });
});
