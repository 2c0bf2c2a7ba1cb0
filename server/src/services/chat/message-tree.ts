/**
 * A conversation's messages as a tree (decision 0009): each message follows its parent (null: the
 * first), messages with the same parent are versions of one another, oldest first, and the branch
 * shown and continued is the path from the root to the conversation's active leaf.
 */

/** What the tree needs of a message row. Rows come oldest first (created_at, id). */
export interface TreeNode {
  id: string;
  parentId: string | null;
}

/** Where a message stands among its versions. */
export interface SiblingPlace {
  siblingIds: string[];
  /** 0-based position in `siblingIds` (oldest first). */
  siblingIndex: number;
}

const ROOT = '';

export class MessageTree<Node extends TreeNode> {
  private readonly byId = new Map<string, Node>();
  private readonly children = new Map<string, Node[]>();

  /** `nodes` oldest first: children (versions) keep that order. */
  constructor(private readonly nodes: readonly Node[]) {
    for (const node of nodes) {
      this.byId.set(node.id, node);
      const key = node.parentId ?? ROOT;
      const list = this.children.get(key);
      if (list) list.push(node);
      else this.children.set(key, [node]);
    }
  }

  get(id: string): Node | undefined {
    return this.byId.get(id);
  }

  /**
   * The branch from the root to `leafId`, root first. An unknown leaf (none recorded) falls back to
   * the newest leaf, so a conversation always shows its latest turn.
   */
  path(leafId: string | null): Node[] {
    let node = (leafId !== null ? this.byId.get(leafId) : undefined) ?? this.newestLeaf();
    const path: Node[] = [];
    const seen = new Set<string>();
    while (node && !seen.has(node.id)) {
      seen.add(node.id);
      path.push(node);
      node = node.parentId !== null ? this.byId.get(node.parentId) : undefined;
    }
    return path.reverse();
  }

  /** The newest message that no other follows. */
  private newestLeaf(): Node | undefined {
    return this.nodes.findLast((node) => !this.children.has(node.id)) ?? this.nodes.at(-1);
  }

  /** The versions of `id` (itself included), oldest first, and its place among them. */
  siblings(id: string): SiblingPlace {
    const node = this.byId.get(id);
    const list = node ? (this.children.get(node.parentId ?? ROOT) ?? [node]) : [];
    const siblingIds = list.map((sibling) => sibling.id);
    return { siblingIds, siblingIndex: Math.max(0, siblingIds.indexOf(id)) };
  }

  /**
   * The leaf a switch to `id` shows: down from it, always the newest version, so the branch that
   * was last written under it comes back.
   */
  newestLeafUnder(id: string): string {
    let current = id;
    for (;;) {
      const next = this.children.get(current)?.at(-1);
      if (!next) return current;
      current = next.id;
    }
  }
}
