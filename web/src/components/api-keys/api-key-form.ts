import { createApiKeyBody, type ApiKey, type CreateApiKeyBody } from '@app/common';
import { zodFieldErrors, type FieldErrors } from '../form-errors';

/** What the create form holds: strings as typed, choices as chosen. */
export interface ApiKeyFormState {
  name: string;
  /** `all`: every chatbot, also future ones; `some`: the ids in `chatbotIds`. */
  scope: 'all' | 'some';
  chatbotIds: string[];
  /** Days until it expires, or `never`. */
  expiry: 'never' | '7' | '30' | '90' | '365';
  spendCap: string;
  requestsPerMinute: string;
}

export const EXPIRY_CHOICES: Array<{ value: ApiKeyFormState['expiry']; label: string }> = [
  { value: 'never', label: 'Never' },
  { value: '7', label: 'In 7 days' },
  { value: '30', label: 'In 30 days' },
  { value: '90', label: 'In 90 days' },
  { value: '365', label: 'In a year' },
];

export const emptyForm = (): ApiKeyFormState => ({
  name: '',
  scope: 'all',
  chatbotIds: [],
  expiry: 'never',
  spendCap: '',
  requestsPerMinute: '',
});

const numberOrNull = (text: string): number | null => (text.trim() === '' ? null : Number(text));

/** The request body, or the field errors a person can read (checked as the server checks). */
export function toCreateBody(
  state: ApiKeyFormState,
  now: Date = new Date(),
): { body: CreateApiKeyBody; errors: null } | { body: null; errors: FieldErrors } {
  const candidate = {
    name: state.name,
    chatbotIds: state.scope === 'all' ? null : state.chatbotIds,
    expiresAt:
      state.expiry === 'never'
        ? null
        : new Date(now.getTime() + Number(state.expiry) * 86_400_000).toISOString(),
    monthlySpendCapUsd: numberOrNull(state.spendCap),
    requestsPerMinute: numberOrNull(state.requestsPerMinute),
  };
  if (state.scope === 'some' && state.chatbotIds.length === 0) {
    return { body: null, errors: { chatbotIds: 'Choose at least one chatbot, or all of them.' } };
  }
  const parsed = createApiKeyBody.safeParse(candidate);
  if (!parsed.success) return { body: null, errors: zodFieldErrors(parsed.error) };
  return { body: candidate, errors: null };
}

/** Which chatbots a key may call, in words. */
export function scopeText(
  key: Pick<ApiKey, 'chatbotIds'>,
  nameOf: (id: string) => string | undefined,
): string {
  if (key.chatbotIds === null) return 'All chatbots';
  const names = key.chatbotIds.map((id) => nameOf(id) ?? 'Deleted chatbot');
  return names.join(', ');
}

export type KeyState = 'active' | 'revoked' | 'expired';

export function keyState(key: Pick<ApiKey, 'revokedAt' | 'expiresAt'>, now: Date = new Date()): KeyState {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && new Date(key.expiresAt).getTime() <= now.getTime()) return 'expired';
  return 'active';
}

/** The snippets of the per-chatbot API panel: curl and the openai JS SDK, with this server's base URL. */
export function snippets(origin: string, slug: string): { curl: string; javascript: string; python: string } {
  const baseURL = `${origin}/v1`;
  return {
    curl: [
      `curl ${baseURL}/chat/completions \\`,
      `  -H "Authorization: Bearer $CHATBOT_API_KEY" \\`,
      `  -H "Content-Type: application/json" \\`,
      `  -d '{"model": "${slug}", "messages": [{"role": "user", "content": "Hello"}]}'`,
    ].join('\n'),
    javascript: [
      `import OpenAI from 'openai';`,
      ``,
      `const client = new OpenAI({ baseURL: '${baseURL}', apiKey: process.env.CHATBOT_API_KEY });`,
      `const completion = await client.chat.completions.create({`,
      `  model: '${slug}',`,
      `  messages: [{ role: 'user', content: 'Hello' }],`,
      `});`,
      `console.log(completion.choices[0].message.content);`,
    ].join('\n'),
    python: [
      `import os`,
      `from openai import OpenAI`,
      ``,
      `client = OpenAI(base_url="${baseURL}", api_key=os.environ["CHATBOT_API_KEY"])`,
      `completion = client.chat.completions.create(`,
      `    model="${slug}", messages=[{"role": "user", "content": "Hello"}]`,
      `)`,
      `print(completion.choices[0].message.content)`,
    ].join('\n'),
  };
}
