import { z } from 'zod';
import { REASONING_EFFORTS, type ModelListEntry } from '@app/common';

/** GET /api/llm/models, for response serialisation and OpenAPI. Mirrors common's ModelListEntry. */
export const modelListEntry = z.object({
  id: z.string().describe('Opaque alias to send back as a chatbot `model`'),
  label: z.string(),
  provider: z.string().describe('openai, anthropic, google, mistral, ollama, … or other'),
  description: z.string().optional(),
  locked: z.boolean().optional().describe('Shown for upsell: a higher plan is needed to use it'),
  requiredPlan: z.string().optional().describe('The cheapest plan that unlocks a locked model'),
  availability: z
    .enum(['served', 'unserved'])
    .optional()
    .describe(
      "From the server's last model discovery: `served` (the proxy serves it), `unserved` (configured " +
        'and allowed, but the proxy does not serve it right now: it cannot be picked). Absent: not known ' +
        '(no discovery, or the proxy did not answer the last time).',
    ),
  healthStatus: z
    .string()
    .optional()
    .describe("LiteLLM's own health check result (`health_status`, e.g. `healthy`), when its checks run"),
  maxInputTokens: z.number().int().optional().describe("The model's context window, in tokens"),
  maxOutputTokens: z.number().int().optional().describe("The model's own output limit, in tokens"),
  maxTokensAllowed: z
    .number()
    .int()
    .optional()
    .describe(
      'The largest chatbot `maxTokens` the server accepts for this model: the model output limit and ' +
        "the server's ceiling, whichever is lower. More is refused with `validation_failed`, " +
        '`details: {field: "maxTokens", max}`.',
    ),
  maxTokensPlanClamp: z
    .number()
    .int()
    .optional()
    .describe(
      "The caller's plan answers with at most this many tokens: a larger setting is accepted and kept, " +
        'but each answer is cut to this length. Present only when lower than `maxTokensAllowed`.',
    ),
  inputPricePer1k: z.number().optional().describe('USD per 1K input tokens, approximate'),
  outputPricePer1k: z.number().optional().describe('USD per 1K output tokens, approximate'),
  supportsTemperature: z
    .boolean()
    .optional()
    .describe(
      'false: the model does not honour temperature; a chatbot keeps its value, but it is not sent. ' +
        "Derived from catalog fields (docs/models.md); the operator's `supports_temperature` wins.",
    ),
  supportsReasoning: z.boolean().optional().describe('The model reasons before it answers'),
  reasoningEfforts: z
    .array(z.enum(REASONING_EFFORTS))
    .optional()
    .describe('The chatbot `reasoningEffort` values this model accepts; absent: no effort setting'),
  supportsVision: z.boolean().optional().describe('The model accepts images'),
  supportsFunctionCalling: z.boolean().optional().describe('The model can call tools'),
}) satisfies z.ZodType<ModelListEntry>;

export const modelList = z.array(modelListEntry);
