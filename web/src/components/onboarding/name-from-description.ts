import { NAME_MAX } from '@app/common';

const NAME_LENGTH = 40;

/**
 * A first name for a chatbot described in one line: the sentence itself, cut at a word under 40
 * characters, capitalised. The user renames it in the form; this only saves typing.
 */
export function nameFromDescription(description: string): string {
  const text = description
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.!?]+$/, '');
  let name = text;
  if (text.length > NAME_LENGTH) {
    const cut = text.slice(0, NAME_LENGTH + 1);
    const lastSpace = cut.lastIndexOf(' ');
    name = lastSpace > 10 ? cut.slice(0, lastSpace) : cut.slice(0, NAME_LENGTH);
  }
  name = name.charAt(0).toUpperCase() + name.slice(1);
  return (name || 'My chatbot').slice(0, NAME_MAX);
}
