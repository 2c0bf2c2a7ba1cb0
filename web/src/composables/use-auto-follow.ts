import { ref, type Ref } from 'vue';
import { useEventListener, useResizeObserver } from '@vueuse/core';

/** How close to the bottom (px) still counts as being at the latest line. */
export const FOLLOW_THRESHOLD = 48;

/**
 * Keeps a scrolling pane at its bottom while its content grows (a streaming answer, a code block
 * being highlighted, the composer growing), unless the reader scrolled up: then it leaves them where
 * they are and `following` turns false (show "Jump to latest"). Reaching the bottom again, by hand
 * or with `scrollToBottom`, follows again.
 *
 * It watches sizes, not data: a ResizeObserver on the content and on the pane, so whatever changes
 * the height is followed. "The reader scrolled up" is a scroll that moved up while the content did
 * not shrink, so our own scrolls, content growth and a regenerated (shorter) answer never count.
 */
export function useAutoFollow(
  scroller: Ref<HTMLElement | null>,
  content: Ref<HTMLElement | null>,
  options: { threshold?: number } = {},
) {
  const threshold = options.threshold ?? FOLLOW_THRESHOLD;
  const following = ref(true);
  let lastTop = 0;
  let lastHeight = 0;

  const distanceToBottom = (element: HTMLElement) =>
    element.scrollHeight - element.scrollTop - element.clientHeight;

  function remember(element: HTMLElement) {
    lastTop = element.scrollTop;
    lastHeight = element.scrollHeight;
  }

  function pin() {
    const element = scroller.value;
    if (!element) return;
    element.scrollTop = element.scrollHeight;
    remember(element);
  }

  function onScroll() {
    const element = scroller.value;
    if (!element) return;
    if (distanceToBottom(element) <= threshold) following.value = true;
    else if (element.scrollTop < lastTop - 1 && element.scrollHeight >= lastHeight) following.value = false;
    remember(element);
  }

  useEventListener(scroller, 'scroll', onScroll, { passive: true });
  const onResize = () => {
    if (following.value) pin();
    else if (scroller.value) remember(scroller.value);
  };
  useResizeObserver(content, onResize);
  useResizeObserver(scroller, onResize);

  /** Goes to the latest line and follows from there. */
  function scrollToBottom(behavior: ScrollBehavior = 'auto') {
    following.value = true;
    const element = scroller.value;
    if (!element) return;
    if (behavior === 'smooth' && typeof element.scrollTo === 'function') {
      element.scrollTo({ top: element.scrollHeight, behavior });
    } else {
      pin();
    }
  }

  return { following, scrollToBottom };
}
