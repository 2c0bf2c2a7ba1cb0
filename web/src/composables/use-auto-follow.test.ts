import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { effectScope, nextTick, ref } from 'vue';
import { useAutoFollow } from './use-auto-follow';

/** A scroll container whose geometry the test sets (happy-dom does no layout). */
function fakeScroller(clientHeight: number) {
  const element = document.createElement('div');
  let scrollHeight = clientHeight;
  let scrollTop = 0;
  Object.defineProperties(element, {
    clientHeight: { get: () => clientHeight },
    scrollHeight: { get: () => scrollHeight },
    scrollTop: {
      get: () => scrollTop,
      set: (value: number) => {
        scrollTop = Math.max(0, Math.min(value, scrollHeight - clientHeight));
      },
    },
  });
  element.scrollTo = ((options: ScrollToOptions) => {
    element.scrollTop = options.top ?? 0;
  }) as typeof element.scrollTo;
  return {
    element,
    grow(height: number) {
      scrollHeight = height;
      if (scrollTop > scrollHeight - clientHeight) scrollTop = Math.max(0, scrollHeight - clientHeight);
    },
    /** The reader scrolls: the position changes, then the browser's scroll event. */
    scrollTo(top: number) {
      element.scrollTop = top;
      element.dispatchEvent(new Event('scroll'));
    },
    get top() {
      return scrollTop;
    },
  };
}

/** ResizeObserver that the test fires by hand. */
const observers: Array<{ callback: ResizeObserverCallback; targets: Element[] }> = [];
class FakeResizeObserver {
  private readonly entry: { callback: ResizeObserverCallback; targets: Element[] };
  constructor(callback: ResizeObserverCallback) {
    this.entry = { callback, targets: [] };
    observers.push(this.entry);
  }
  observe(target: Element) {
    this.entry.targets.push(target);
  }
  unobserve() {}
  disconnect() {
    this.entry.targets = [];
  }
}
const resized = () => {
  for (const observer of observers)
    if (observer.targets.length > 0) observer.callback([], observer as unknown as ResizeObserver);
};

describe('useAutoFollow', () => {
  beforeEach(() => vi.stubGlobal('ResizeObserver', FakeResizeObserver));
  afterEach(() => {
    vi.unstubAllGlobals();
    observers.length = 0;
  });

  async function setup() {
    const pane = fakeScroller(500);
    const content = document.createElement('div');
    const scope = effectScope();
    const follow = scope.run(() => useAutoFollow(ref(pane.element), ref(content)))!;
    await nextTick();
    return { pane, follow, scope };
  }

  it('keeps the pane at its bottom while the content grows', async () => {
    const { pane, follow, scope } = await setup();
    for (const height of [800, 1200, 2000]) {
      pane.grow(height);
      resized();
      expect(pane.top).toBe(height - 500);
    }
    expect(follow.following.value).toBe(true);
    scope.stop();
  });

  it('stops following when the reader scrolls up, and follows again at the bottom', async () => {
    const { pane, follow, scope } = await setup();
    pane.grow(2000);
    resized();
    pane.scrollTo(900);
    expect(follow.following.value).toBe(false);
    pane.grow(3000);
    resized();
    expect(pane.top).toBe(900); // left where they were
    pane.scrollTo(3000 - 500 - 10); // back within the threshold
    expect(follow.following.value).toBe(true);
    pane.grow(3500);
    resized();
    expect(pane.top).toBe(3000);
    scope.stop();
  });

  it('does not take a shrinking answer (regenerate) or its own scroll for the reader scrolling up', async () => {
    const { pane, follow, scope } = await setup();
    pane.grow(3000);
    resized();
    pane.element.dispatchEvent(new Event('scroll'));
    pane.grow(1000); // the old answer replaced by an empty one: the browser clamps scrollTop
    pane.element.dispatchEvent(new Event('scroll'));
    expect(follow.following.value).toBe(true);
    scope.stop();
  });

  it('scrollToBottom jumps to the latest line and follows from there', async () => {
    const { pane, follow, scope } = await setup();
    pane.grow(2000);
    resized();
    pane.scrollTo(100);
    expect(follow.following.value).toBe(false);
    follow.scrollToBottom('smooth');
    expect(follow.following.value).toBe(true);
    expect(pane.top).toBe(1500);
    scope.stop();
  });
});
