import { z } from 'zod';
import { plainText } from './text.js';

export const TEMPERATURE_MIN = 0;
export const TEMPERATURE_MAX = 2;
export const NAME_MAX = 100;
export const DESCRIPTION_MAX = 1000;
export const SYSTEM_PROMPT_MAX = 20_000;

/**
 * How hard a reasoning model thinks before it answers (OpenAI's `reasoning_effort`, which LiteLLM maps
 * for Anthropic and Gemini). A chatbot offers only the efforts its model reports; null: the model's own.
 */
export const REASONING_EFFORTS = ['low', 'medium', 'high'] as const;
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];

const chatbotFields = {
  name: plainText(z.string().trim().min(1, 'Name is required').max(NAME_MAX)),
  description: plainText(z.string().trim().max(DESCRIPTION_MAX)),
  systemPrompt: plainText(z.string().max(SYSTEM_PROMPT_MAX)),
  model: plainText(z.string().trim().min(1).max(200)),
  temperature: z
    .number({ error: 'Temperature must be a number' })
    .min(TEMPERATURE_MIN, `Temperature must be at least ${TEMPERATURE_MIN}`)
    .max(TEMPERATURE_MAX, `Temperature must be at most ${TEMPERATURE_MAX}`),
  /** The server also checks the model's limit and its own ceiling (GET /api/llm/models `maxTokensAllowed`). */
  maxTokens: z
    .number({ error: 'Max tokens must be a number' })
    .int('Max tokens must be a whole number')
    .positive('Max tokens must be at least 1'),
  /** Only efforts the model reports are accepted (GET /api/llm/models `reasoningEfforts`). */
  reasoningEffort: z
    .enum(REASONING_EFFORTS, { error: 'Reasoning effort must be low, medium or high' })
    .nullable(),
};

/** POST /api/chatbots. Unknown fields are rejected (mass-assignment guard). */
export const createChatbotBody = z
  .object({
    name: chatbotFields.name,
    description: chatbotFields.description.default(''),
    systemPrompt: chatbotFields.systemPrompt.default(''),
    model: chatbotFields.model.optional(),
    temperature: chatbotFields.temperature.default(0.7),
    maxTokens: chatbotFields.maxTokens.optional(),
    reasoningEffort: chatbotFields.reasoningEffort.optional(),
  })
  .strict();
export type CreateChatbotBody = z.input<typeof createChatbotBody>;

/** PATCH /api/chatbots/:id */
export const updateChatbotBody = z
  .object({
    name: chatbotFields.name,
    description: chatbotFields.description,
    systemPrompt: chatbotFields.systemPrompt,
    model: chatbotFields.model,
    temperature: chatbotFields.temperature,
    maxTokens: chatbotFields.maxTokens,
    reasoningEffort: chatbotFields.reasoningEffort,
  })
  .partial()
  .strict();
export type UpdateChatbotBody = z.input<typeof updateChatbotBody>;

export interface Chatbot {
  id: string;
  name: string;
  description: string;
  systemPrompt: string;
  model: string;
  temperature: number;
  maxTokens: number;
  /** null: the model's default (or the model has no reasoning effort setting). */
  reasoningEffort: ReasoningEffort | null;
  createdAt: string;
  updatedAt: string;
}
