import type { Chatbot, ModelListEntry, PublicServerInfo } from '@app/common';

export const serverInfo: PublicServerInfo = {
  llmMode: 'proxy',
  defaultModel: 'chat-default',
  plans: ['basic', 'pro'],
  signup: 'open',
};

export const models: ModelListEntry[] = [
  {
    id: 'chat-default',
    label: 'GPT-4o mini',
    provider: 'openai',
    availability: 'served',
    maxInputTokens: 128_000,
    maxOutputTokens: 4096,
    maxTokensAllowed: 4096,
    inputPricePer1k: 0.00015,
    outputPricePer1k: 0.0006,
    supportsTemperature: true,
    supportsVision: true,
    supportsFunctionCalling: true,
  },
  {
    id: 'reasoner',
    label: 'o3 mini',
    provider: 'openai',
    availability: 'served',
    maxOutputTokens: 100_000,
    // The server's ceiling (8,192) is below the model's limit; the plan answers with 512.
    maxTokensAllowed: 8192,
    maxTokensPlanClamp: 512,
    supportsTemperature: false,
    supportsReasoning: true,
    reasoningEfforts: ['low', 'medium', 'high'],
  },
  { id: 'claude-default', label: 'Claude Sonnet', provider: 'anthropic', locked: true, requiredPlan: 'pro' },
];

export const chatbot: Chatbot = {
  id: 'b1',
  name: 'Support bot',
  description: 'Answers questions about our product',
  systemPrompt: 'You are helpful.',
  model: 'chat-default',
  temperature: 0.5,
  maxTokens: 512,
  reasoningEffort: null,
  createdAt: '2026-11-01T10:00:00.000Z',
  updatedAt: '2026-11-01T10:00:00.000Z',
};
