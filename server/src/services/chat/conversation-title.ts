const TITLE_MAX_CHARS = 60;

/**
 * The first message as plain words: markdown marks go (headings, emphasis, code fences and
 * backticks, quotes, list bullets, images and HTML tags), links keep their text, whitespace collapses.
 */
export function plainTitleText(markdown: string): string {
  return (
    markdown
      // Fenced code: keep the code, drop the fence lines (and their info string).
      .replace(/^[ \t]*(```|~~~)[^\n]*$/gm, ' ')
      // Images: their alt text; links: their text (inline and reference style); autolinks: the URL.
      .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
      .replace(/\[([^\]]+)\]\[[^\]]*\]/g, '$1')
      .replace(/<((?:https?|mailto):[^>\s]+)>/gi, '$1')
      // HTML tags.
      .replace(/<\/?[a-z][^>]*>/gi, ' ')
      // Line starts: headings, quotes, bullets, numbered items' markers stay (they read as words).
      .replace(/^[ \t]*#{1,6}[ \t]+/gm, '')
      .replace(/^[ \t]*(>[ \t]?)+/gm, '')
      .replace(/^[ \t]*[-*+][ \t]+/gm, '')
      // Horizontal rules.
      .replace(/^[ \t]*([-*_])([ \t]*\1){2,}[ \t]*$/gm, ' ')
      // Inline code, emphasis and strike-through marks (`_` only around words, not inside snake_case).
      .replace(/`+/g, '')
      .replace(/(\*{1,3}|~~)(?=\S)([^*~]*?\S)\1/g, '$2')
      .replace(/(^|[^\w])(_{1,3})(?=\S)(.*?\S)\2(?!\w)/g, '$1$3')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

/** A conversation's title: its first message as plain text on one line, cut at a word near 60 chars. */
export function conversationTitle(firstMessage: string): string {
  const oneLine = plainTitleText(firstMessage) || firstMessage.replace(/\s+/g, ' ').trim();
  if (oneLine.length <= TITLE_MAX_CHARS) return oneLine || 'New conversation';
  const cut = oneLine.slice(0, TITLE_MAX_CHARS - 1);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > TITLE_MAX_CHARS / 2 ? cut.slice(0, lastSpace) : cut).trimEnd()}…`;
}
