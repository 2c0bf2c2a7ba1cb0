import { describe, expect, it } from 'vitest';
import type { ChatMessage, ConversationWithMessages } from '@app/common';
import { answerMetaParts, formatSeconds } from './answer-meta';
import { conversationToJson, conversationToMarkdown, exportFileName } from './conversation-export';
import { describeApiError, humanMessage } from './error-text';
import { readableFieldMessage } from './form-errors';
import { highlightPieces } from './highlight';

const answer = (overrides: Partial<ChatMessage> = {}): ChatMessage => ({
  id: 'a1',
  conversationId: 'c1',
  role: 'assistant',
  content: 'Hi',
  status: 'complete',
  model: 'chat-default',
  usage: { promptTokens: 1200, completionTokens: 34 },
  costUsd: 0.00042,
  ttftMs: 420,
  latencyMs: 3100,
  createdAt: '2026-12-01T10:00:00.000Z',
  ...overrides,
});
const labels: Record<string, string> = { 'chat-default': 'GPT-4.1 mini', 'chat-backup': 'Claude Haiku' };
const labelOf = (id: string) => labels[id] ?? id;

describe('answerMetaParts', () => {
  it('says which model answered, its tokens, cost and timing', () => {
    const parts = answerMetaParts(answer(), labelOf);
    expect(parts.map((part) => part.text)).toEqual([
      'GPT-4.1 mini',
      '1,234 tokens',
      '$0.00042',
      'first token 420 ms',
      '3.1 s total',
    ]);
    expect(parts.find((part) => part.key === 'tokens')?.label).toBe('1,234 tokens: 1,200 in, 34 out');
  });

  it('names the fallback that answered', () => {
    const parts = answerMetaParts(answer({ answeredBy: 'chat-backup' }), labelOf);
    expect(parts[1]).toMatchObject({ key: 'fallback', text: 'answered by fallback Claude Haiku' });
    const unnamed = answerMetaParts(answer({ fallback: true }), labelOf);
    expect(unnamed[1]).toMatchObject({ key: 'fallback', text: 'answered by a fallback model' });
  });

  it("while streaming only the model; a live answer uses this tab's timing", () => {
    expect(
      answerMetaParts(answer({ status: 'streaming', model: null }), labelOf, {
        chatbotModel: 'chat-default',
      }),
    ).toEqual([{ key: 'model', text: 'GPT-4.1 mini', label: 'Model: GPT-4.1 mini' }]);
    const live = answerMetaParts(answer({ ttftMs: undefined, latencyMs: undefined }), labelOf, {
      timing: { ttftMs: 90, latencyMs: 12_400 },
    });
    expect(live.map((part) => part.text).slice(-2)).toEqual(['first token 90 ms', '12 s total']);
  });

  it('formats seconds for people', () => {
    expect([formatSeconds(3), formatSeconds(420), formatSeconds(1500), formatSeconds(61_000)]).toEqual([
      '3 ms',
      '420 ms',
      '1.5 s',
      '61 s',
    ]);
  });
});

describe('conversation export', () => {
  const conversation: ConversationWithMessages = {
    id: 'c1',
    chatbotId: 'b1',
    title: 'Trip to Portugal: what to pack?',
    createdAt: '2026-12-01T10:00:00.000Z',
    updatedAt: '2026-12-01T10:05:00.000Z',
    messages: [
      {
        id: 'u1',
        conversationId: 'c1',
        role: 'user',
        content: 'What to pack?',
        status: 'complete',
        createdAt: '',
      },
      answer({ content: '- sunscreen\n- shoes', answeredBy: 'chat-backup' }),
      answer({ id: 'a2', content: 'Partial', status: 'stopped' }),
    ],
  };

  it('writes Markdown with authors, the model and what happened to an answer', () => {
    const markdown = conversationToMarkdown(conversation, { botName: 'Guide', labelOf });
    expect(markdown).toBe(
      [
        '# Trip to Portugal: what to pack?',
        '',
        '*Guide · 2026-12-01*',
        '',
        '## You',
        '',
        'What to pack?',
        '',
        '## Guide (Claude Haiku)',
        '',
        '- sunscreen\n- shoes',
        '',
        '## Guide (GPT-4.1 mini)',
        '',
        'Partial',
        '',
        '> *stopped: the partial answer was kept*',
        '',
      ].join('\n'),
    );
  });

  it('writes JSON that says what it is and keeps the read as it was', () => {
    const parsed = JSON.parse(conversationToJson(conversation, { botName: 'Guide' }));
    expect(parsed).toMatchObject({
      format: 'chatbot-builder.conversation',
      version: 1,
      chatbot: { name: 'Guide' },
    });
    expect(parsed.conversation).toEqual(conversation);
  });

  it('names the file after the title, safely', () => {
    expect(exportFileName('Trip to Portugal: what to pack?', 'md')).toBe('trip-to-portugal-what-to-pack.md');
    expect(exportFileName('../../etc/passwd', 'json')).toBe('etc-passwd.json');
    expect(exportFileName('Crème brûlée', 'md')).toBe('creme-brulee.md');
    expect(exportFileName('???', 'md')).toBe('conversation.md');
  });
});

describe('human errors', () => {
  it("words a plan refusal from its details, never with the limit's code name", () => {
    const text = describeApiError({
      status: 413,
      code: 'payload_too_large',
      message:
        'The input is 9,100 characters; Basic allows at most 8,000 (maxInputChars). Shorten it and try again.',
      details: { limit: 'maxInputChars', max: 8000, actual: 9100 },
    });
    expect(text).toBe('This message is 9,100 characters; your plan allows 8,000. Shorten it and try again.');
    expect(text).not.toContain('maxInputChars');
  });

  it('keeps a server sentence, cut of code names; refuses one naming a variable or a path', () => {
    expect(humanMessage('Too many answers in progress (concurrentStreams). Wait')).toBe(
      'Too many answers in progress. Wait.',
    );
    expect(humanMessage('Set LLM_BASE_URL to reach the proxy')).toBeNull();
    expect(humanMessage('body.messages[0].content: Required')).toBeNull();
    expect(humanMessage('Temperature must be at most 1.5')).toBe('Temperature must be at most 1.5.');
  });

  it('a 401 reads as a sign-out, an unknown failure as its explanation', () => {
    expect(
      describeApiError({ status: 401, code: 'unauthorized', message: 'Unauthorized', details: undefined }),
    ).toBe('You were signed out. Sign in again to continue.');
    expect(
      describeApiError({
        status: 503,
        code: 'unavailable',
        message: 'LLM_BASE_URL unreachable',
        details: undefined,
      }),
    ).toBe('The model service is unavailable right now. Try again shortly.');
  });

  it("turns zod's default wording into sentences for a field", () => {
    expect(readableFieldMessage('Too small: expected string to have >=1 characters')).toBe(
      'This is required.',
    );
    expect(readableFieldMessage('Too big: expected string to have <=100 characters')).toBe(
      'Use at most 100 characters.',
    );
    expect(readableFieldMessage('Invalid input: expected string, received undefined')).toBe(
      'This is required.',
    );
    expect(readableFieldMessage('must be at most 100 characters')).toBe('Must be at most 100 characters');
    expect(readableFieldMessage('Name is required')).toBe('Name is required');
    expect(readableFieldMessage('title: Give the conversation a title.')).toBe(
      'Give the conversation a title.',
    );
    expect(readableFieldMessage('Expected LLM_API_KEY to be set')).toBe('Check this field.');
  });
});

describe('highlightPieces', () => {
  it('marks every case-insensitive match and keeps the original case', () => {
    expect(highlightPieces('Lisbon and lisbon', 'LISBON')).toEqual([
      { text: 'Lisbon', match: true },
      { text: ' and ', match: false },
      { text: 'lisbon', match: true },
    ]);
    expect(highlightPieces('abc', '  ')).toEqual([{ text: 'abc', match: false }]);
    expect(highlightPieces('abc', 'zz')).toEqual([{ text: 'abc', match: false }]);
  });
});
