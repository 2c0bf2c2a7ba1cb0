import { describe, expect, it } from 'vitest';
import { conversationTitle, plainTitleText } from '../../src/services/chat/conversation-title.js';

describe('conversationTitle', () => {
  it('reads like a title: markdown marks stripped, links as their text, whitespace collapsed', () => {
    expect(conversationTitle('# How do I **deploy** this?')).toBe('How do I deploy this?');
    expect(conversationTitle('## Fix `npm ci`\n\n   in *CI*  please')).toBe('Fix npm ci in CI please');
    expect(conversationTitle('See [the docs](https://example.com/docs) and <https://a.example>')).toBe(
      'See the docs and https://a.example',
    );
    expect(conversationTitle('> quoted\n> text\n- item one\n* item two')).toBe(
      'quoted text item one item two',
    );
    expect(conversationTitle('```ts\nconst x = 1;\n```\nwhy?')).toBe('const x = 1; why?');
    expect(conversationTitle('![a cat](cat.png) __bold__ ~~old~~ _it_')).toBe('a cat bold old it');
    expect(conversationTitle('<b>hi</b> there')).toBe('hi there');
  });

  it('keeps what only looks like markup: snake_case, lone stars, maths', () => {
    expect(plainTitleText('rename my_var_name to x')).toBe('rename my_var_name to x');
    expect(plainTitleText('2 * 3 = 6')).toBe('2 * 3 = 6');
    expect(plainTitleText('1. first step')).toBe('1. first step');
  });

  it('cuts a long first message at a word near 60 characters', () => {
    expect(conversationTitle('  Hello\n  world ')).toBe('Hello world');
    const long = conversationTitle(`**${'word '.repeat(40)}**`);
    expect(long.length).toBeLessThanOrEqual(60);
    expect(long.endsWith('word…')).toBe(true);
  });

  it('never ends empty', () => {
    expect(conversationTitle('   ')).toBe('New conversation');
    expect(conversationTitle('```\n```')).toBe('``` ```');
    expect(conversationTitle('**')).toBe('**');
  });
});
