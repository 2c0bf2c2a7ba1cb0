import { z } from 'zod';
import {
  LAUNCHER_ICONS,
  PUBLICATION_MODES,
  publicationSettingsBody,
  WIDGET_POSITIONS,
  WIDGET_THEMES,
} from '@app/common';
import { resourceId } from '../id.schemas.js';

export { publicationSettingsBody };
export { idParams } from '../id.schemas.js';

export const inboxParams = z.object({ id: resourceId, conversationId: resourceId }).strict();

const limits = z.object({
  messagesPerHour: z.number(),
  messagesPerDay: z.number(),
  concurrentAnswers: z.number(),
  monthlySpendCapUsd: z.number(),
  perIpPerHour: z.number(),
});

export const publicationSettingsResponse = z.object({
  chatbotId: z.string(),
  mode: z.enum(PUBLICATION_MODES),
  slug: z.string(),
  greeting: z.string(),
  suggestions: z.array(z.string()),
  appearance: z.object({
    accent: z.string(),
    theme: z.enum(WIDGET_THEMES),
    position: z.enum(WIDGET_POSITIONS),
    title: z.string(),
    launcherIcon: z.enum(LAUNCHER_ICONS),
    avatarUrl: z.string().nullable(),
  }),
  allowedOrigins: z.array(z.string()),
  limits,
  inGallery: z.boolean(),
  planAllowsPublishing: z
    .boolean()
    .describe('false: the bot is dark whatever its mode (the plan has no publishing)'),
  maxSpendCapUsd: z.number().nullable().describe("The plan's monthly budget: the highest monthlySpendCapUsd"),
  sharePath: z.string(),
  updatedAt: z.string().nullable(),
});

export const avatarResponse = z.object({ avatarUrl: z.string().nullable() });

export const inboxQuery = z
  .object({
    q: z.string().trim().max(200).optional().describe('Searches titles and message text'),
    before: z.string().max(500).optional().describe("The previous page's `next`"),
  })
  .strict();

export const inboxPage = z.object({
  conversations: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      firstQuestion: z.string(),
      messageCount: z.number().int(),
      updatedAt: z.string(),
      feedback: z.object({ up: z.number().int(), down: z.number().int() }),
    }),
  ),
  next: z.string().nullable(),
});

export const inboxConversation = z.object({
  id: z.string(),
  title: z.string(),
  updatedAt: z.string(),
  messages: z.array(
    z.object({
      id: z.string(),
      conversationId: z.string(),
      role: z.enum(['user', 'assistant']),
      content: z.string(),
      status: z.string(),
      feedback: z.enum(['up', 'down']).nullable(),
      model: z.string().nullable().optional(),
      costUsd: z.number().nullable().optional(),
      usage: z.object({ promptTokens: z.number(), completionTokens: z.number() }).nullable().optional(),
      createdAt: z.string(),
    }),
  ),
});

export const analyticsQuery = z
  .object({ days: z.coerce.number().int().min(1).max(365).default(30) })
  .strict();

export const analyticsResponse = z.object({
  days: z.array(
    z.object({
      date: z.string(),
      conversations: z.number().int(),
      messages: z.number().int(),
      tokens: z.number(),
      costUsd: z.number(),
    }),
  ),
  topFirstQuestions: z.array(z.object({ text: z.string(), count: z.number().int() })),
});
