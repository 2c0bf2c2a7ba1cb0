import { z } from 'zod';

/**
 * OpenAI's Chat Completions request, as far as a chatbot takes it. Fields it does not use (top_p,
 * seed, …) are accepted and ignored, as a proxy does; `n` above 1 is refused (one answer per call).
 */
const contentPart = z.looseObject({ type: z.string(), text: z.string().optional() });

const toolCall = z.object({
  id: z.string().min(1).max(200),
  type: z.literal('function'),
  function: z.object({ name: z.string().min(1).max(200), arguments: z.string() }),
});

export const chatMessage = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
  name: z.string().optional(),
  tool_calls: z.array(toolCall).optional(),
  tool_call_id: z.string().optional(),
});
export type ChatMessageInput = z.infer<typeof chatMessage>;

const tool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'a function name is 1-64 letters, digits, _ or -'),
    description: z.string().max(10_000).optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

const toolChoice = z.union([
  z.enum(['auto', 'none', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }) }),
]);

const positiveTokens = z.number().int().positive().nullish();

export const chatCompletionBody = z.looseObject({
  model: z.string().min(1).max(200),
  messages: z.array(chatMessage).min(1).max(1000),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: positiveTokens,
  max_completion_tokens: positiveTokens,
  temperature: z.number().nullish(),
  n: z.number().int().nullish(),
  tools: z.array(tool).min(1).max(128).optional(),
  tool_choice: toolChoice.optional(),
});
export type ChatCompletionBody = z.infer<typeof chatCompletionBody>;

export const openAiError = z.object({
  error: z.object({
    message: z.string(),
    type: z.string(),
    param: z.string().nullable(),
    code: z.string().nullable(),
  }),
});

export const modelList = z.object({
  object: z.literal('list'),
  data: z.array(
    z.object({
      id: z.string().describe('The chatbot slug: pass it as `model`'),
      object: z.literal('model'),
      created: z.number().int(),
      owned_by: z.string(),
      name: z.string().describe('The chatbot name'),
    }),
  ),
});

/** The whole answer (`stream` false); a stream sends `chat.completion.chunk` objects instead. */
export const chatCompletion = z.looseObject({
  id: z.string(),
  object: z.string(),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(z.looseObject({ index: z.number().int(), finish_reason: z.string().nullable() })),
  usage: z.looseObject({
    prompt_tokens: z.number().int(),
    completion_tokens: z.number().int(),
    total_tokens: z.number().int(),
  }),
});
