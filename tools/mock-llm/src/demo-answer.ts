import { longAnswer } from './demo-long-answer.js';
import {
  codeAnswer,
  explainAnswer,
  helloAnswer,
  listAnswer,
  storyAnswer,
  tableAnswer,
  type DemoKind,
} from './demo-showcase.js';

/**
 * The offline demo model: deterministic markdown chosen from the user's message (code, a table, a
 * list, a long answer, a story, an explanation; otherwise a rotating showcase), so a fresh install
 * shows what the chat renders and how it streams, without any API key. Operator instructions never
 * appear here: a normal user reads these answers (only admins see how to connect real models).
 */

export interface DemoMessage {
  role: string;
  content: string;
}

const promptGenerationPattern = /(write|generate|draft|create)\b[^.]{0,60}\bsystem prompt/i;

/** True when the system message asks the model to write a system prompt (the prompt generator). */
export function isPromptGeneration(messages: readonly DemoMessage[]): boolean {
  return messages.some(
    (message) => message.role === 'system' && promptGenerationPattern.test(message.content),
  );
}

const maxQuoteLength = 280;

function quote(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const clipped = oneLine.length > maxQuoteLength ? `${oneLine.slice(0, maxQuoteLength)}…` : oneLine;
  return clipped.length > 0 ? clipped : '(an empty message)';
}

/** Keywords in the user's message → the answer that shows that part of the product. First match wins. */
const routes: ReadonlyArray<readonly [DemoKind, RegExp]> = [
  ['long', /\b(long|essay|detailed|in[- ]depth|article|guide)\b/i],
  ['code', /\b(code|function|script|program|snippet|typescript|javascript|python|sql|bash|regex|api)\b/i],
  ['table', /\b(table|compare|comparison|versus|vs)\b/i],
  ['list', /\b(list|steps|checklist|ideas|tips|bullets?|plan)\b/i],
  ['story', /\b(story|poem|tale|fable)\b/i],
  ['explain', /\b(explain|why|how does|how do|what is|what are)\b/i],
  ['hello', /\b(hi|hello|hey|help|what can you do)\b/i],
];

/** With no keyword, the turns rotate through the showcase, so a few messages show everything. */
const rotation: readonly DemoKind[] = ['hello', 'code', 'table', 'list', 'explain', 'story'];

const answers: Record<DemoKind, (quoted: string) => string> = {
  code: codeAnswer,
  table: tableAnswer,
  list: listAnswer,
  long: longAnswer,
  story: storyAnswer,
  explain: explainAnswer,
  hello: helloAnswer,
};

/** Which answer a message gets: by keyword, else by turn (1-based) in the rotation. */
export function demoAnswerKind(lastUserText: string, turn: number): DemoKind {
  const matched = routes.find(([, pattern]) => pattern.test(lastUserText));
  if (matched) return matched[0];
  return rotation[(Math.max(turn, 1) - 1) % rotation.length]!;
}

function chatAnswer(lastUserText: string, turn: number): string {
  return answers[demoAnswerKind(lastUserText, turn)](quote(lastUserText));
}

function systemPromptAnswer(description: string): string {
  const subject = quote(description);
  return [
    `You are a helpful assistant for the following purpose: ${subject}`,
    '',
    'Guidelines:',
    '- Stay focused on that purpose; politely decline unrelated requests.',
    '- Ask a short clarifying question when a request is ambiguous.',
    '- Answer concisely in plain language, using lists and code blocks where they help.',
    '- Never invent facts; say so when you do not know.',
    '',
    '(Written by the offline demo model.)',
  ].join('\n');
}

/** The answer for a conversation. `lastUserText` is the last user message with fault markers removed. */
export function demoAnswer(messages: readonly DemoMessage[], lastUserText: string): string {
  if (isPromptGeneration(messages)) return systemPromptAnswer(lastUserText);
  const turn = messages.filter((message) => message.role === 'user').length;
  return chatAnswer(lastUserText, turn);
}

/** Splits an answer into word-sized deltas, keeping whitespace so the deltas join back exactly. */
export function splitIntoDeltas(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [text];
}
