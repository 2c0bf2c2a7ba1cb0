import { describe, expect, it } from 'vitest';
import { nameFromDescription } from './name-from-description';

describe('nameFromDescription', () => {
  it('keeps a short description, capitalised, without its full stop', () => {
    expect(nameFromDescription('helps guests find restaurants.')).toBe('Helps guests find restaurants');
  });

  it('cuts a long one at a word, under 40 characters', () => {
    const name = nameFromDescription(
      'A friendly assistant that answers questions about our opening hours and prices',
    );
    expect(name).toBe('A friendly assistant that answers');
    expect(name.length).toBeLessThanOrEqual(40);
  });

  it('falls back to a name when there is nothing to use', () => {
    expect(nameFromDescription('   ')).toBe('My chatbot');
  });
});
