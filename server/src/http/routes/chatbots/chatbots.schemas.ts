import { z } from 'zod';
import { createChatbotBody, REASONING_EFFORTS, updateChatbotBody } from '@app/common';

export { idParams as chatbotParams } from '../id.schemas.js';

export const chatbotResponse = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  systemPrompt: z.string(),
  model: z.string(),
  temperature: z
    .number()
    .describe('Kept as set; not sent to a model that does not honour it (`supportsTemperature: false`)'),
  maxTokens: z
    .number()
    .int()
    .describe(
      "At most the model's `maxTokensAllowed` (GET /api/llm/models); a plan with a lower `maxTokens` " +
        'clamps each answer to it.',
    ),
  reasoningEffort: z
    .enum(REASONING_EFFORTS)
    .nullable()
    .describe(
      "null: the model's default. Only efforts the model's `reasoningEfforts` lists are accepted; sent " +
        'upstream as `reasoning_effort`.',
    ),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export { createChatbotBody, updateChatbotBody };
