import { afterEach, describe, expect, it, vi } from 'vitest';
import { effectScope } from 'vue';
import { useChatShortcuts } from './use-chat-shortcuts';

function press(target: Element, key = 'Escape') {
  const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true });
  target.dispatchEvent(event);
  return event;
}

describe('useChatShortcuts', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  function setup(streaming: boolean) {
    const stop = vi.fn();
    const scope = effectScope();
    scope.run(() => useChatShortcuts({ isStreaming: () => streaming, stop }));
    return { stop, scope };
  }

  it('Escape stops a streaming answer from the composer or the page', () => {
    document.body.innerHTML = '<textarea data-chat-input></textarea><button id="b">x</button>';
    const { stop, scope } = setup(true);
    expect(press(document.querySelector('textarea')!).defaultPrevented).toBe(true);
    press(document.querySelector('#b')!);
    press(document.body);
    expect(stop).toHaveBeenCalledTimes(3);
    scope.stop();
  });

  it('leaves Escape alone when nothing streams, in dialogs and menus, and in other fields', () => {
    document.body.innerHTML = `
      <div role="dialog"><button id="in-dialog">x</button></div>
      <div role="menu"><div id="in-menu" tabindex="0">x</div></div>
      <input id="search" type="search" />`;
    const idle = setup(false);
    press(document.body);
    expect(idle.stop).not.toHaveBeenCalled();
    idle.scope.stop();

    const { stop, scope } = setup(true);
    press(document.querySelector('#in-dialog')!);
    press(document.querySelector('#in-menu')!);
    press(document.querySelector('#search')!);
    press(document.body, 'Enter');
    expect(stop).not.toHaveBeenCalled();
    scope.stop();
    press(document.body);
    expect(stop).not.toHaveBeenCalled(); // the listener went with its scope
  });
});
