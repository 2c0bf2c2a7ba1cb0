import { useEventListener } from '@vueuse/core';

/** Layers that handle Escape themselves (a drawer, a dialog, a menu): Escape there is theirs. */
const OWN_ESCAPE = '[role="dialog"], [role="alertdialog"], [role="menu"], [role="listbox"]';

function isOtherEditable(target: Element | null): boolean {
  if (!target) return false;
  if (target.closest('[data-chat-input]')) return false;
  return target.matches('input, textarea, select, [contenteditable=""], [contenteditable="true"]');
}

/**
 * Escape stops a streaming answer from anywhere on the chat screen, except where Escape already
 * means something (a dialog, a menu, another text field such as the search or a rename).
 */
export function useChatShortcuts(options: { isStreaming: () => boolean; stop: () => void }) {
  useEventListener(window, 'keydown', (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || event.defaultPrevented || event.isComposing) return;
    if (!options.isStreaming()) return;
    const target = event.target instanceof Element ? event.target : null;
    if (target?.closest(OWN_ESCAPE) || isOtherEditable(target)) return;
    event.preventDefault();
    options.stop();
  });
}
