/**
 * The demo model's long answer: a guide of well over 2,000 words, so a newcomer can watch a long
 * answer stream, scroll with it, and press Stop. Built from fixed parts, so it is deterministic.
 */

const topics = [
  'Choosing what the chatbot is for',
  'Writing the instructions',
  'Picking a model',
  'Temperature and answer length',
  'Testing with real questions',
  'Handling questions it should not answer',
  'Keeping answers short',
  'Formatting that helps',
  'Sharing it with other people',
  'Watching how it is used',
  'Improving it over time',
  'When to start again',
];

const openings = [
  'Start from the people who will use it and the one job they need done.',
  'A clear purpose makes every later decision easier, from the wording of the instructions to the model you pick.',
  'It helps to write that purpose down in a single sentence before anything else.',
];

const middles = [
  'Think about the questions that will come up on the first day, and write a few of them down.',
  'Try each change with the same handful of questions, so you can tell whether it helped.',
  'Small, specific instructions usually work better than long lists of general rules.',
  'When an answer goes wrong, look at what the chatbot was told rather than at the model first.',
  'Examples of good answers are worth more than adjectives describing them.',
  'Keep a short note of what you changed and why; it saves time a month later.',
];

const closings = [
  'None of this needs to be perfect at the start: a useful first version teaches you what to fix.',
  'The best test is a person who has never seen it trying to get something done.',
];

function paragraph(section: number, part: number): string {
  const pick = (pool: readonly string[], offset: number) =>
    pool[(section * 3 + part + offset) % pool.length]!;
  return [pick(openings, 0), pick(middles, 0), pick(middles, 2), pick(middles, 4), pick(closings, part)].join(
    ' ',
  );
}

export function longAnswer(): string {
  const lines = [
    '# A field guide to building a good chatbot',
    '',
    'This is a long answer on purpose: it streams for a while, so you can see the page follow it and ' +
      'press **Stop** (or the Escape key) at any point. What was written so far is kept.',
    '',
  ];
  topics.forEach((topic, section) => {
    lines.push(`## ${section + 1}. ${topic}`, '');
    for (let part = 0; part < 3; part++) lines.push(paragraph(section, part), '');
    lines.push(`- **Try this:** ask the chatbot about ${topic.toLowerCase()} in your own words.`, '');
  });
  lines.push(
    '## Summary',
    '',
    'Purpose first, short instructions, real questions, small changes. That is all.',
  );
  return lines.join('\n');
}
