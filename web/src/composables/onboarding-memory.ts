/**
 * Small per-browser memories of the onboarding (a dismissed notice, a template's suggested questions),
 * in localStorage under one prefix. Storage may be missing or full (private mode): then nothing is
 * remembered and the feature degrades to "shown again", never to an error.
 */
const PREFIX = 'chatbot-builder:onboarding:';

export function readMemory<T>(key: string): T | null {
  try {
    const raw = localStorage.getItem(PREFIX + key);
    return raw === null ? null : (JSON.parse(raw) as T);
  } catch {
    return null;
  }
}

export function writeMemory(key: string, value: unknown) {
  try {
    localStorage.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    // not remembered: see above
  }
}

export function forgetMemory(key: string) {
  try {
    localStorage.removeItem(PREFIX + key);
  } catch {
    // nothing to forget
  }
}
