import type { Appearance } from '@app/common';

const HEX = /^#([0-9a-f]{6})$/i;

/** Relative luminance (WCAG) of a #rrggbb colour; an invalid one counts as mid-grey. */
export function luminance(hex: string): number {
  const match = HEX.exec(hex);
  if (!match) return 0.2;
  const value = Number.parseInt(match[1] as string, 16);
  const channel = (shift: number) => {
    const c = ((value >> shift) & 0xff) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(16) + 0.7152 * channel(8) + 0.0722 * channel(0);
}

/** Text on the accent: white, or near-black on a light accent (whichever contrasts more). */
export function textOn(accent: string): string {
  const l = luminance(accent);
  return 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? '#ffffff' : '#111318';
}

/** The owner's branding as CSS custom properties over the app palette. */
export function brandStyle(appearance: Pick<Appearance, 'accent'>): Record<string, string> {
  const accent = HEX.test(appearance.accent) ? appearance.accent : '#4338ca';
  return {
    '--primary': accent,
    '--primary-hover': accent,
    '--primary-text': textOn(accent),
    '--focus': accent,
  };
}

export const themeClass = (theme: Appearance['theme']) =>
  theme === 'auto' ? 'brand--auto' : `brand--${theme}`;

/** The host page's origin, from inside the widget's iframe (Chromium, WebKit), else from the referrer. */
export function hostOrigin(): string | null {
  const ancestors = (window.location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
  if (ancestors && ancestors.length > 0) return ancestors[0] ?? null;
  try {
    return document.referrer ? new URL(document.referrer).origin : null;
  } catch {
    return null;
  }
}

/** The launcher icons (also drawn by web/widget/launcher.ts): 24×24 stroke paths. */
export const LAUNCHER_ICON_PATHS = {
  chat: 'M4 5h16v11H8l-4 4z',
  help: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM9.5 9a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.6V14M12 17h.01',
  sparkle:
    'M12 3l1.8 5.2L19 10l-5.2 1.8L12 17l-1.8-5.2L5 10l5.2-1.8zM19 15l.8 2.2L22 18l-2.2.8L19 21l-.8-2.2L16 18l2.2-.8z',
} as const;
