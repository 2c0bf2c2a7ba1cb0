import { describe, expect, it } from 'vitest';
import { MessageTree } from '../../src/services/chat/message-tree.js';

/** q1 → a1 → (q2 | q2b); q2 → a2; q2b → (a2b | a2c). Oldest first, as the rows come. */
const nodes = [
  { id: 'q1', parentId: null },
  { id: 'a1', parentId: 'q1' },
  { id: 'q2', parentId: 'a1' },
  { id: 'a2', parentId: 'q2' },
  { id: 'q2b', parentId: 'a1' },
  { id: 'a2b', parentId: 'q2b' },
  { id: 'a2c', parentId: 'q2b' },
];

describe('MessageTree (decision 0009)', () => {
  const tree = new MessageTree(nodes);

  it('reads the branch from the root to a leaf', () => {
    expect(tree.path('a2').map((node) => node.id)).toEqual(['q1', 'a1', 'q2', 'a2']);
    expect(tree.path('a2b').map((node) => node.id)).toEqual(['q1', 'a1', 'q2b', 'a2b']);
  });

  it('falls back to the newest leaf when no leaf is recorded or it is unknown', () => {
    expect(tree.path(null).at(-1)!.id).toBe('a2c');
    expect(tree.path('gone').at(-1)!.id).toBe('a2c');
    expect(new MessageTree([]).path(null)).toEqual([]);
    // Rows written at the same instant: the answer (a leaf) wins over its question.
    const sameInstant = new MessageTree([
      { id: 'answer', parentId: 'question' },
      { id: 'question', parentId: null },
    ]);
    expect(sameInstant.path(null).map((node) => node.id)).toEqual(['question', 'answer']);
  });

  it('lists the versions of a message, oldest first, and its place among them', () => {
    expect(tree.siblings('q2b')).toEqual({ siblingIds: ['q2', 'q2b'], siblingIndex: 1 });
    expect(tree.siblings('a2c')).toEqual({ siblingIds: ['a2b', 'a2c'], siblingIndex: 1 });
    expect(tree.siblings('q1')).toEqual({ siblingIds: ['q1'], siblingIndex: 0 });
  });

  it('switching to a version shows the newest branch under it', () => {
    expect(tree.newestLeafUnder('q2')).toBe('a2');
    expect(tree.newestLeafUnder('q2b')).toBe('a2c');
    expect(tree.newestLeafUnder('q1')).toBe('a2c');
    expect(tree.newestLeafUnder('a2')).toBe('a2');
  });

  it('never loops on a cycle in bad data', () => {
    const cyclic = new MessageTree([
      { id: 'x', parentId: 'y' },
      { id: 'y', parentId: 'x' },
    ]);
    expect(cyclic.path('x').map((node) => node.id)).toEqual(['y', 'x']);
  });
});
