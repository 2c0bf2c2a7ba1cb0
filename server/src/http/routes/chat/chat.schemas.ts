import { z } from 'zod';
import { activeBranchBody, chatRequestBody, editMessageBody } from '@app/common';

export { activeBranchBody, chatRequestBody, editMessageBody };

export { idParams } from '../id.schemas.js';

const usage = z.object({ promptTokens: z.number().int(), completionTokens: z.number().int() });
const status = z.enum(['complete', 'streaming', 'stopped', 'error', 'interrupted']);

/** The JSON answer (Accept: application/json); the SSE answer is described in docs/sse-protocol.md. */
export const chatTurnResult = z
  .object({
    conversationId: z.string(),
    userMessageId: z.string(),
    assistantMessageId: z.string(),
    content: z.string(),
    status,
    finishReason: z.string().nullable(),
    usage,
    costUsd: z.number().optional(),
    answeredBy: z.string().optional(),
    fallback: z.literal(true).optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  })
  .describe(
    'With Accept: application/json, the whole turn. Otherwise the answer is text/event-stream with the ' +
      'events meta, delta*, then done | error (see docs/sse-protocol.md).',
  );

export const chatMessage = z.object({
  id: z.string(),
  conversationId: z.string(),
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  status,
  errorCode: z.string().nullable().optional(),
  model: z.string().nullable().optional(),
  answeredBy: z.string().nullable().optional(),
  fallback: z
    .boolean()
    .optional()
    .describe('A fallback answered this, or part of it (named by answeredBy when known)'),
  upstreamModel: z.string().nullable().optional(),
  finishReason: z.string().nullable().optional(),
  usage: usage.nullable().optional(),
  costUsd: z.number().nullable().optional(),
  ttftMs: z.number().int().nullable().optional().describe('Milliseconds to the first token'),
  latencyMs: z.number().int().nullable().optional().describe('Milliseconds the whole answer took'),
  createdAt: z.string(),
  parentId: z
    .string()
    .nullable()
    .optional()
    .describe('The message this one follows (null: the first). Messages form a tree: decision 0009'),
  siblingIds: z
    .array(z.string())
    .optional()
    .describe(
      'Conversation reads: the versions of this message (same parent), oldest first, itself included',
    ),
  siblingIndex: z.number().int().optional().describe('0-based place of this message in siblingIds'),
  siblingCount: z.number().int().optional().describe('How many versions (1: none other)'),
});

export const conversation = z.object({
  id: z.string(),
  chatbotId: z.string(),
  title: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  source: z.enum(['app', 'api']).optional().describe('`api`: stored from /v1/chat/completions'),
  snippet: z
    .string()
    .optional()
    .describe('Search results only: the message text around the first match, "…" where it was cut'),
});

export const liveRunState = z
  .object({ assistantMessageId: z.string(), seq: z.number().int() })
  .describe(
    'The answer being written: its message and seq, the length of its content in this read (UTF-16 code units); ' +
      'GET /api/conversations/:id/live?after=<seq>&assistantMessageId=<id> continues from there',
  );

export const conversationWithMessages = conversation.extend({
  messages: z.array(chatMessage).describe('The active branch, root first'),
  live: liveRunState.nullable().optional(),
});

export const conversationPage = z.object({ items: z.array(conversation), nextCursor: z.string().nullable() });

export const conversationListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().min(1).max(500).optional(),
  })
  .strict();

export const stopResult = z.object({ stopped: z.boolean() });
