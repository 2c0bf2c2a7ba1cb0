/**
 * The offline demo model's answers: each shows one thing the chat renders (headings, lists, a table,
 * code with a language, a long streamed answer). Plain product content, no operator instructions:
 * a normal user reads these. A paragraph is one line: the chat renders a single newline as a break.
 */

export type DemoKind = 'code' | 'table' | 'list' | 'long' | 'story' | 'explain' | 'hello';

export function codeAnswer(): string {
  return [
    '## A small, typed helper',
    '',
    'Here is a function that groups items by a key, with a short example of its use:',
    '',
    '```typescript',
    'export function groupBy<T, K extends PropertyKey>(',
    '  items: readonly T[],',
    '  keyOf: (item: T) => K,',
    '): Record<K, T[]> {',
    '  const groups = {} as Record<K, T[]>;',
    '  for (const item of items) {',
    '    (groups[keyOf(item)] ??= []).push(item);',
    '  }',
    '  return groups;',
    '}',
    '',
    'const orders = [',
    "  { id: 1, status: 'paid' },",
    "  { id: 2, status: 'open' },",
    "  { id: 3, status: 'paid' },",
    '];',
    'console.log(groupBy(orders, (order) => order.status));',
    '// { paid: [{ id: 1, … }, { id: 3, … }], open: [{ id: 2, … }] }',
    '```',
    '',
    'How it works:',
    '',
    '1. `keyOf` picks the key for each item, so the function works for any shape of data.',
    '2. `??=` creates the group the first time a key is seen.',
    '3. The result is a plain object, easy to serialise or render.',
    '',
    'The same idea in Python, for comparison:',
    '',
    '```python',
    'from collections import defaultdict',
    '',
    'def group_by(items, key_of):',
    '    groups = defaultdict(list)',
    '    for item in items:',
    '        groups[key_of(item)].append(item)',
    '    return dict(groups)',
    '```',
    '',
    'Each code block has a **Copy** button when you hover it.',
  ].join('\n');
}

export function tableAnswer(): string {
  return [
    '## Comparing three ways to store data',
    '',
    '| Option | Good for | Watch out for | Typical size |',
    '|---|---|---|---|',
    '| Embedded database | a laptop, a demo, one server | one process at a time | up to a few GB |',
    '| PostgreSQL | production, several app servers | backups and upgrades | from MB to TB |',
    '| Spreadsheet | a quick list shared by people | no history, easy to break | a few thousand rows |',
    '',
    '**In short:** start embedded, move to PostgreSQL when more than one server needs the data.',
    '',
    '> Tables scroll sideways on a narrow screen instead of squeezing their columns.',
  ].join('\n');
}

export function listAnswer(): string {
  return [
    '## A checklist for launching a small website',
    '',
    '1. **Content**',
    '   - Write the home page in plain words: what it is, who it is for, what to do next.',
    '   - Add an about page and a way to get in touch.',
    '2. **Technical**',
    '   - Buy the domain and turn on HTTPS.',
    '   - Test on a phone as well as a laptop.',
    '   - Check that every link works.',
    '3. **After launch**',
    '   - Ask three people to try it and watch where they hesitate.',
    '   - Fix the top issue, then ask again.',
    '',
    'Things that are easy to forget:',
    '',
    '- [x] a favicon',
    '- [x] a page title for each page',
    '- [ ] a 404 page that helps people find their way back',
  ].join('\n');
}

export function storyAnswer(): string {
  return [
    '## The lighthouse keeper’s cat',
    '',
    'Every evening, when the lamp began to turn, the cat climbed the *one hundred and twelve* steps ' +
      'to the top of the lighthouse and sat beside the great lens, as if she were the one keeping the ' +
      'ships safe.',
    '',
    'The keeper never told her otherwise. On the night of the storm the power failed, and it was the ' +
      'cat who heard the generator cough first and ran down the stairs, yowling, until he followed.',
    '',
    '> “You were right,” he said afterwards, handing her the last of the fish. “You are the keeper.”',
    '',
    'From then on the logbook had two signatures: his, and a small inky paw print.',
  ].join('\n');
}

export function explainAnswer(): string {
  return [
    '## How a streamed answer reaches you',
    '',
    'A language model writes its answer a few characters at a time. Instead of waiting for the whole ' +
      'text, the server passes each piece on as soon as it arrives, so you can start reading at once.',
    '',
    '### The three steps',
    '',
    '1. **You send a message.** The server adds the chatbot’s instructions and the conversation so far.',
    '2. **The model answers in pieces.** Each piece travels to your browser over one open connection.',
    '3. **Your browser renders as it goes.** Headings, lists and `code` appear while the answer grows.',
    '',
    '### Why it matters',
    '',
    '- The first words appear in well under a second, even for a long answer.',
    '- You can press **Stop** when you have read enough; the part already written is kept.',
    '',
    'Try asking for *a long answer* to see the page follow the text as it is written.',
  ].join('\n');
}

/** `quoted`: the user's message, one line, shown back as a blockquote. */
export function helloAnswer(quoted: string): string {
  return [
    'Hello! I’m the built-in **demo model**: my answers are examples, written without a real language ' +
      'model, to show what this chat can do. Try one of these:',
    '',
    '- “Show me a code example” — a code block with syntax highlighting and a copy button',
    '- “Compare options in a table” — a markdown table',
    '- “Give me a checklist” — nested lists',
    '- “Write a long answer” — a long text, streamed, so you can try **Stop** and auto-scroll',
    '- “Tell me a story” or “Explain how streaming works”',
    '',
    'You wrote:',
    '',
    `> ${quoted}`,
  ].join('\n');
}
