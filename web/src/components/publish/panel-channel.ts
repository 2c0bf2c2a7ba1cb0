/**
 * The panel's side of the widget's postMessage protocol (the launcher's is web/widget/launcher.ts).
 * Panel → launcher: ready (it runs), loaded {look} (the bot is shown), close, unread {count}.
 * Launcher → panel: open, hidden. Messages are sent only to the host page's origin and accepted
 * only from the parent window at that origin (the launcher checks the frame and our origin).
 */
export const WIDGET_MESSAGE_SOURCE = 'chatbot-widget';

/** What the launcher draws: the bot's colour, side, icon and name. */
export interface LauncherLook {
  accent: string;
  position: 'right' | 'left';
  launcherIcon: 'chat' | 'help' | 'sparkle';
  title: string;
}

export type PanelToLauncher =
  | { type: 'ready' }
  | { type: 'loaded'; look: LauncherLook }
  | { type: 'close' }
  | { type: 'unread'; count: number };
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
