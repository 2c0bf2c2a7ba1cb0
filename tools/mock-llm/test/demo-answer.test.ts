import { describe, expect, it } from 'vitest';
import { demoAnswer, demoAnswerKind, splitIntoDeltas } from '../src/demo-answer.js';

const chat = (...texts: string[]) => texts.map((content) => ({ role: 'user', content }));
const answerTo = (text: string) => demoAnswer(chat(text), text);
const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

describe('the offline demo model', () => {
  it('answers a request for code with a fenced block that names its language', () => {
    const answer = answerTo('Show me a code example');
    expect(answer).toMatch(/```typescript\n[\s\S]+?\n```/);
    expect(answer).toMatch(/```python\n/);
  });

  it('answers with a markdown table, nested lists, a story, an explanation, each by keyword', () => {
    expect(answerTo('Compare the options in a table')).toMatch(/^\|[^\n]+\|\n\|---\|/m);
    const list = answerTo('Give me a checklist');
    expect(list).toMatch(/^1\. \*\*/m);
    expect(list).toMatch(/^ {3}- /m);
    expect(answerTo('Tell me a story')).toMatch(/^## /m);
    const explained = answerTo('Explain how streaming works');
    expect(explained).toMatch(/^### /m);
    expect(explained).toContain('`code`');
    expect(demoAnswerKind('hello there', 1)).toBe('hello');
  });

  it('writes a long answer of 2,000+ words with headings when asked, for Stop and auto-scroll', () => {
    const answer = answerTo('Write a long answer please');
    expect(words(answer)).toBeGreaterThanOrEqual(2_000);
    expect(answer.match(/^## /gm)?.length).toBeGreaterThanOrEqual(10);
    expect(splitIntoDeltas(answer).join('')).toBe(answer);
  });

  it('rotates through the showcase when the message names nothing, deterministically', () => {
    const kinds = [1, 2, 3, 4, 5, 6].map((turn) => demoAnswerKind('ok', turn));
    expect(new Set(kinds).size).toBe(6);
    expect(demoAnswerKind('ok', 7)).toBe(kinds[0]);
    expect(demoAnswer(chat('a', 'b'), 'b')).toBe(demoAnswer(chat('x', 'y'), 'y'));
    expect(demoAnswer(chat('a'), 'a')).not.toBe(demoAnswer(chat('a', 'b'), 'b'));
  });

  it('never lectures about configuration: no environment variables or operator instructions', () => {
    const messages = [
      'hi',
      'code',
      'table',
      'list',
      'long',
      'story',
      'explain',
      'something else',
      'how do I connect a real model?',
    ];
    for (const [index, text] of messages.entries()) {
      const answer = demoAnswer(chat(...messages.slice(0, index + 1)), text);
      expect(answer).not.toMatch(/LLM_|OPENAI_|API_KEY|npm start|LiteLLM|\.env/);
    }
  });

  it('still writes system prompts for the prompt generator', () => {
    const answer = demoAnswer(
      [
        { role: 'system', content: 'Write a system prompt for a chatbot.' },
        { role: 'user', content: 'A friendly cooking helper' },
      ],
      'A friendly cooking helper',
    );
    expect(answer).toContain('A friendly cooking helper');
  });
});
