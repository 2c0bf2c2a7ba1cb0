import { z } from 'zod';
import { chatRequestBody, feedbackBody, LAUNCHER_ICONS, WIDGET_POSITIONS, WIDGET_THEMES } from '@app/common';
import { resourceId } from '../id.schemas.js';

export { chatRequestBody as publicChatBody, feedbackBody };

export const slugParams = z
  .object({ slug: z.string().regex(/^[a-z0-9-]{1,40}$/, 'not a valid address') })
  .strict();
export const slugIdParams = z.object({ slug: slugParams.shape.slug, id: resourceId }).strict();
export const avatarParams = z
  .object({ file: z.string().regex(/^[a-f0-9]{32}\.(png|jpeg|webp)$/, 'not an avatar') })
  .strict();

const status = z.enum(['complete', 'streaming', 'stopped', 'error', 'interrupted']);

export const publicBotResponse = z
  .object({
    slug: z.string(),
    name: z.string(),
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
    mode: z.enum(['link', 'widget']),
  })
  .describe('A published chatbot as visitors see it: never its prompt, model, owner or limits.');

export const visitorTokenResponse = z
  .object({ token: z.string() })
  .describe('Send it as `Authorization: Bearer <token>` on every other public call. No cookie is used.');

export const publicConversationList = z.array(
  z.object({ id: z.string(), title: z.string(), updatedAt: z.string() }),
);

export const publicMessage = z.object({
  id: z.string(),
  conversationId: z.string(),
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  status,
  errorCode: z.string().nullable().optional(),
  createdAt: z.string(),
  feedback: z.enum(['up', 'down']).nullable().optional(),
});

export const publicConversation = z.object({
  id: z.string(),
  title: z.string(),
  messages: z.array(publicMessage),
  live: z.object({ assistantMessageId: z.string(), seq: z.number().int() }).nullable().optional(),
});

export const galleryResponse = z.array(
  z.object({ slug: z.string(), name: z.string(), description: z.string(), avatarUrl: z.string().nullable() }),
);

export const publicChatStream = z
  .string()
  .describe(
    'text/event-stream with the events of POST /api/chatbots/:id/chat (meta, delta*, done | error; docs/sse-protocol.md), ' +
      'without cost or model fields.',
  );

export const stopResult = z.object({ stopped: z.boolean() });
