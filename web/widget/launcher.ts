/**
 * The website widget's launcher: `<script src="https://HOST/widget.js" data-chatbot="SLUG" async>`.
 * Built alone (vite.widget.config.ts) into one small IIFE. It draws a button in a shadow root (its
 * styles reset with `all: initial`, so the host page cannot restyle it and it restyles nothing), and
 * on the first open only creates the panel: an iframe of /embed/SLUG on our origin. The two talk by
 * postMessage, each checking the other's window and origin (panel-channel.ts is the panel's side).
 */
import { LAUNCHER_ICON_PATHS } from '../src/components/publish/appearance';
import { WIDGET_MESSAGE_SOURCE, type LauncherLook } from '../src/components/publish/panel-channel';

const DEFAULT_LOOK: LauncherLook = {
  accent: '#4338ca',
  position: 'right',
  launcherIcon: 'chat',
  title: 'Chat',
};
const CLOSE_PATH = 'M6 6l12 12M18 6L6 18';
/** The panel says hello as it starts; a frame that stays silent this long after loading was refused. */
const SILENT_PANEL_MS = 5000;
const REFUSED_TEXT =
  'This chat cannot be used on this website: its owner has not allowed this site to embed it.';

const STYLE = `
:host { all: initial; position: fixed; bottom: 20px; right: 20px; z-index: 2147483000;
  font: 14px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; color-scheme: light dark; }
:host([data-position=left]) { right: auto; left: 20px; }
* { box-sizing: border-box; }
.launcher { all: unset; box-sizing: border-box; width: 56px; height: 56px; border-radius: 50%; cursor: pointer;
  display: grid; place-items: center; background: var(--accent); color: var(--on-accent); position: relative;
  box-shadow: 0 4px 14px rgb(0 0 0 / 22%); transition: transform .15s ease; }
.launcher:hover { transform: scale(1.06); }
.launcher:focus-visible { outline: 3px solid var(--accent); outline-offset: 3px; }
.launcher svg { width: 26px; height: 26px; fill: none; stroke: currentColor; stroke-width: 2;
  stroke-linecap: round; stroke-linejoin: round; }
.badge { position: absolute; top: -2px; right: -2px; min-width: 20px; height: 20px; padding: 0 5px;
  border-radius: 10px; background: #d92d20; color: #fff; font-size: 12px; font-weight: 600;
  display: grid; place-items: center; }
.badge[hidden] { display: none; }
.panel { position: absolute; bottom: 72px; right: 0; width: 380px; height: min(620px, calc(100vh - 110px));
  border-radius: 16px; overflow: hidden; background: #fff; box-shadow: 0 12px 40px rgb(0 0 0 / 28%); }
:host([data-position=left]) .panel { right: auto; left: 0; }
.panel[hidden] { display: none; }
.panel iframe { border: 0; width: 100%; height: 100%; display: block; }
.refused { height: 100%; display: grid; place-items: center; padding: 24px; text-align: center; color: #1c1e26;
  font-size: 15px; }
@media (max-width: 480px) {
  .panel { position: fixed; inset: 0; width: auto; height: auto; border-radius: 0; }
  :host([data-open]) .launcher { display: none; }
}
@media (prefers-reduced-motion: reduce) { .launcher { transition: none; } }
`;

function svg(path: string): string {
  return `<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="${path}"/></svg>`;
}

function textOn(hex: string): string {
  const value = Number.parseInt(hex.slice(1), 16);
  const [r, g, b] = [value >> 16, (value >> 8) & 255, value & 255].map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const l = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? '#ffffff' : '#111318';
}

/** A look from another window or the network, checked field by field (bad values keep the default). */
function readLook(appearance: Partial<Record<keyof LauncherLook, unknown>>, name?: unknown): LauncherLook {
  const { accent, position, launcherIcon, title } = appearance;
  return {
    accent: typeof accent === 'string' && /^#[0-9a-f]{6}$/i.test(accent) ? accent : DEFAULT_LOOK.accent,
    position: position === 'left' ? 'left' : 'right',
    launcherIcon:
      typeof launcherIcon === 'string' && launcherIcon in LAUNCHER_ICON_PATHS
        ? (launcherIcon as LauncherLook['launcherIcon'])
        : 'chat',
    title: (typeof title === 'string' && title) || (typeof name === 'string' && name) || DEFAULT_LOOK.title,
  };
}

function mount(script: HTMLScriptElement, slug: string) {
  const appOrigin = new URL(script.src, location.href).origin;
  const openKey = `chatbot-widget:${slug}:open`;
  const lookKey = `chatbot-widget:${slug}:look`;
  const host = document.createElement('div');
  host.setAttribute('data-chatbot-widget', slug);
  const root = host.attachShadow({ mode: 'open' });
  const panelId = `chatbot-widget-panel-${slug}`;
  root.innerHTML = `<style>${STYLE}</style>
<div class="panel" id="${panelId}" role="dialog" hidden></div>
<button class="launcher" type="button" aria-expanded="false" aria-controls="${panelId}"></button>`;
  const panel = root.querySelector('.panel') as HTMLDivElement;
  const launcher = root.querySelector('.launcher') as HTMLButtonElement;
  const badge = document.createElement('span');
  badge.className = 'badge';
  badge.hidden = true;
  let look = DEFAULT_LOOK;
  try {
    const kept = sessionStorage.getItem(lookKey);
    if (kept) look = readLook(JSON.parse(kept) as Partial<Record<keyof LauncherLook, unknown>>);
  } catch {
    // nothing kept (or storage blocked): the default look until the bot's is known
  }

  /** The bot's look, kept for the next pages of this visit (drawn before any request). */
  function setLook(next: LauncherLook) {
    look = next;
    try {
      sessionStorage.setItem(lookKey, JSON.stringify(next));
    } catch {
      // storage blocked: only the next page's first paint is affected
    }
    draw();
  }
  let frame: HTMLIFrameElement | null = null;
  let open = false;
  let heard = false;
  /** Why the panel cannot be shown here (the server refused this website), or null. */
  let refused: string | null = null;

  function showRefusal(text: string) {
    refused = text;
    frame?.remove();
    frame = null;
    const note = document.createElement('p');
    note.className = 'refused';
    note.setAttribute('role', 'alert');
    note.textContent = text;
    panel.replaceChildren(note);
  }

  function draw() {
    host.dataset.position = look.position;
    host.style.setProperty('--accent', look.accent);
    host.style.setProperty('--on-accent', textOn(look.accent));
    launcher.innerHTML = svg(
      open ? CLOSE_PATH : (LAUNCHER_ICON_PATHS[look.launcherIcon] ?? LAUNCHER_ICON_PATHS.chat),
    );
    launcher.append(badge);
    const unread = badge.hidden ? 0 : Number(badge.textContent);
    const news = unread > 0 ? ` (${unread} new ${unread === 1 ? 'answer' : 'answers'})` : '';
    launcher.setAttribute('aria-label', open ? `Close ${look.title}` : `Open ${look.title}${news}`);
    launcher.setAttribute('aria-expanded', String(open));
    panel.setAttribute('aria-label', look.title);
    if (frame) frame.title = `${look.title} — chat`;
  }

  function tell(type: 'open' | 'hidden') {
    frame?.contentWindow?.postMessage({ source: WIDGET_MESSAGE_SOURCE, type }, appOrigin);
  }

  function setOpen(next: boolean, focusLauncher = false) {
    open = next;
    try {
      if (next) sessionStorage.setItem(openKey, '1');
      else sessionStorage.removeItem(openKey);
    } catch {
      // storage blocked: the panel just does not reopen by itself after a page change
    }
    if (next && !frame && !refused) {
      const created = document.createElement('iframe');
      created.src = `${appOrigin}/embed/${encodeURIComponent(slug)}`;
      created.referrerPolicy = 'origin';
      created.allow = 'clipboard-write';
      // A host the bot does not allow gets no frame at all (frame-ancestors): say so instead.
      created.addEventListener('load', () =>
        setTimeout(() => {
          if (!heard && frame === created) showRefusal(REFUSED_TEXT);
        }, SILENT_PANEL_MS),
      );
      frame = created;
      panel.append(created);
      draw();
    }
    panel.hidden = !next;
    if (next) host.setAttribute('data-open', '');
    else host.removeAttribute('data-open');
    if (next) {
      badge.hidden = true;
      tell('open');
    } else tell('hidden');
    draw();
    if (focusLauncher) launcher.focus();
  }

  launcher.addEventListener('click', () => setOpen(!open));
  root.addEventListener('keydown', (event) => {
    if ((event as KeyboardEvent).key === 'Escape' && open) setOpen(false, true);
  });
  window.addEventListener('message', (event) => {
    if (!frame || event.source !== frame.contentWindow || event.origin !== appOrigin) return;
    const data = event.data as { source?: unknown; type?: unknown; count?: unknown; look?: unknown } | null;
    if (!data || data.source !== WIDGET_MESSAGE_SOURCE) return;
    heard = true;
    if (data.type === 'close') setOpen(false, true);
    else if (data.type === 'ready') tell(open ? 'open' : 'hidden');
    else if (data.type === 'loaded' && data.look && typeof data.look === 'object') {
      setLook(readLook(data.look as Partial<Record<keyof LauncherLook, unknown>>));
    } else if (data.type === 'unread' && typeof data.count === 'number') {
      badge.textContent = String(data.count);
      badge.hidden = open || data.count <= 0;
      draw();
    }
  });

  draw();
  document.body.append(host);
  void fetch(`${appOrigin}/api/public/bots/${encodeURIComponent(slug)}`, {
    mode: 'cors',
    credentials: 'omit',
  })
    .then(async (response) => {
      if (response.status === 404) return host.remove(); // not published (any more): no launcher
      if (response.status === 403) return showRefusal(REFUSED_TEXT);
      if (!response.ok) return;
      const bot = (await response.json()) as {
        name?: unknown;
        appearance?: Partial<Record<keyof LauncherLook, unknown>>;
      };
      setLook(readLook(bot.appearance ?? {}, bot.name));
    })
    .catch(() => undefined); // unreachable or not allowed cross-origin: the default look; the panel says why
  try {
    if (sessionStorage.getItem(openKey) === '1') setOpen(true);
  } catch {
    // storage blocked
  }
}

const script = document.currentScript as HTMLScriptElement | null;
const slug = script?.dataset.chatbot;
if (script && slug) {
  const start = () => mount(script, slug);
  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start, { once: true });
}
