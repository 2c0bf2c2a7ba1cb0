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
  temperature: z.number().min(TEMPERATURE_MIN).max(TEMPERATURE_MAX),
  /** The server also applies a configured ceiling (and the plan's / model's limit). */
  maxTokens: z.number().int().positive(),
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
  createdAt: string;
  updatedAt: string;
}
