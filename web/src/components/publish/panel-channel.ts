/**
 * The panel's side of the widget's postMessage protocol (the launcher's is web/widget/launcher.ts).
 * Panel → launcher: ready, close, unread {count}. Launcher → panel: open, hidden. Messages are
 * sent only to the host page's origin and accepted only from the parent window at that origin.
 */
export const WIDGET_MESSAGE_SOURCE = 'chatbot-widget';

export type PanelToLauncher = { type: 'ready' } | { type: 'close' } | { type: 'unread'; count: number };
export type LauncherToPanel = { type: 'open' } | { type: 'hidden' };

export function panelChannel(hostOrigin: string | null) {
  const parent = window.parent !== window ? window.parent : null;
  return {
    post(message: PanelToLauncher) {
      if (!parent || !hostOrigin) return;
      parent.postMessage({ source: WIDGET_MESSAGE_SOURCE, ...message }, hostOrigin);
    },
    onMessage(listener: (message: LauncherToPanel) => void) {
      const handler = (event: MessageEvent) => {
        if (!parent || event.source !== parent || event.origin !== hostOrigin) return;
        const data = event.data as { source?: unknown; type?: unknown } | null;
        if (!data || data.source !== WIDGET_MESSAGE_SOURCE) return;
        if (data.type === 'open' || data.type === 'hidden') listener({ type: data.type });
      };
      window.addEventListener('message', handler);
      return () => window.removeEventListener('message', handler);
    },
  };
}
