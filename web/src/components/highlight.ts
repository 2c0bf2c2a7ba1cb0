export interface TextPiece {
  text: string;
  match: boolean;
}

/** Splits `text` around the case-insensitive occurrences of `query`, for <mark> (no HTML involved). */
export function highlightPieces(text: string, query: string): TextPiece[] {
  const needle = query.trim().toLowerCase();
  if (!needle) return [{ text, match: false }];
  const haystack = text.toLowerCase();
  const pieces: TextPiece[] = [];
  let from = 0;
  for (;;) {
    const at = haystack.indexOf(needle, from);
    if (at === -1) break;
    if (at > from) pieces.push({ text: text.slice(from, at), match: false });
    pieces.push({ text: text.slice(at, at + needle.length), match: true });
    from = at + needle.length;
  }
  if (from < text.length || pieces.length === 0) pieces.push({ text: text.slice(from), match: false });
  return pieces;
}
