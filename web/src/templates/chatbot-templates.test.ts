import { describe, expect, it } from 'vitest';
import { createChatbotBody, SUGGESTION_MAX } from '@app/common';
import { CHATBOT_TEMPLATES, findTemplate, templateDraft } from './chatbot-templates';

describe('chatbot templates', () => {
  it('has the four the issue names, and unique ids', () => {
    const ids = CHATBOT_TEMPLATES.map((template) => template.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['support-agent', 'writing-coach', 'code-reviewer', 'tutor']));
  });

  it.each(CHATBOT_TEMPLATES.map((template) => [template.id, template] as const))(
    '%s is a chatbot the server accepts, with 3–4 short first questions',
    (_id, template) => {
      const parsed = createChatbotBody.safeParse({ ...templateDraft(template), model: 'chat-default' });
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      expect(template.suggestions.length).toBeGreaterThanOrEqual(3);
      expect(template.suggestions.length).toBeLessThanOrEqual(4);
      for (const question of template.suggestions)
        expect(question.length).toBeLessThanOrEqual(SUGGESTION_MAX);
    },
  );

  it('finds a template by the id in the URL, and nothing for anything else', () => {
    expect(findTemplate('tutor')?.name).toBe('Patient tutor');
    expect(findTemplate('nope')).toBeUndefined();
    expect(findTemplate(['tutor'])).toBeUndefined();
    expect(findTemplate(undefined)).toBeUndefined();
  });

  it('the code reviewer’s first question asks for code (the newcomer test sends it)', () => {
    expect(findTemplate('code-reviewer')?.suggestions[0]).toMatch(/^Show me a code example/);
  });
});
