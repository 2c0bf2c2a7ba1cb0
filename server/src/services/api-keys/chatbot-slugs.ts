/**
 * The `model` a caller names a chatbot by on /v1: a slug of its name, unique among the owner's
 * chatbots (a later chatbot of the same name gets `-2`, `-3`… by creation order). The chatbot's id
 * is accepted too, and stays valid across renames (docs/api.md).
 */
export function slugOf(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/g, '');
  return slug || 'chatbot';
}

export interface SlugTarget {
  id: string;
  name: string;
  createdAt: Date;
}

/** Slug → chatbot id for one owner's chatbots; the oldest chatbot keeps the bare slug. */
export function slugTable<T extends SlugTarget>(chatbots: readonly T[]): Map<string, T> {
  const byAge = [...chatbots].sort(
    (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id),
  );
  const table = new Map<string, T>();
  for (const chatbot of byAge) {
    const base = slugOf(chatbot.name);
    let slug = base;
    for (let n = 2; table.has(slug); n++) slug = `${base}-${n}`;
    table.set(slug, chatbot);
  }
  return table;
}
