import type { ChatMessage } from '@app/common';

/**
 * Versions of a message in a conversation read (decision 0009): messages with the same parent,
 * oldest first. These helpers keep a view's `< 2/3 >` right while its own turn adds a version.
 */

/** The versions of `message`, itself included (a message from an older read: only itself). */
export function versionIds(message: ChatMessage): string[] {
  return message.siblingIds && message.siblingIds.length > 0 ? message.siblingIds : [message.id];
}

/** Makes `added` the newest version beside `existing` (same parent, shown in its place). */
export function asNewVersionOf(added: ChatMessage, existing: ChatMessage): ChatMessage {
  const siblingIds = [...versionIds(existing), added.id];
  return {
    ...added,
    parentId: existing.parentId ?? null,
    siblingIds,
    siblingIndex: siblingIds.length - 1,
    siblingCount: siblingIds.length,
  };
}

/** The message's id changed (a placeholder got the server's id): its versions list follows. */
export function renameVersion(message: ChatMessage, from: string, to: string): void {
  if (message.siblingIds) message.siblingIds = message.siblingIds.map((id) => (id === from ? to : id));
}

/** The id of the version `step` away (-1: previous, 1: next), or null at either end. */
export function neighbourVersion(message: ChatMessage, step: -1 | 1): string | null {
  const ids = versionIds(message);
  const index = message.siblingIndex ?? ids.indexOf(message.id);
  return ids[index + step] ?? null;
}
