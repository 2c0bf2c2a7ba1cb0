import { z } from 'zod';
import { plainText } from './text.js';
import type { ChatMessage } from './chat.js';

/**
 * Issue 22: publishing a chatbot to visitors without an account (share link /c/:slug and the website
 * widget). The contract between the server and the web: /tmp/team/CONTRACT-22.md, docs/publishing.md.
 */

export const PUBLICATION_MODES = ['off', 'link', 'widget'] as const;
/** 'widget' = the share link AND the widget. */
export type PublicationMode = (typeof PUBLICATION_MODES)[number];

export const WIDGET_THEMES = ['light', 'dark', 'auto'] as const;
export type WidgetTheme = (typeof WIDGET_THEMES)[number];
export const WIDGET_POSITIONS = ['right', 'left'] as const;
export type WidgetPosition = (typeof WIDGET_POSITIONS)[number];
export const LAUNCHER_ICONS = ['chat', 'help', 'sparkle'] as const;
export type LauncherIcon = (typeof LAUNCHER_ICONS)[number];

export const SLUG_MIN = 3;
export const SLUG_MAX = 40;
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
export const GREETING_MAX = 500;
export const SUGGESTIONS_MAX = 4;
export const SUGGESTION_MAX = 120;
export const WIDGET_TITLE_MAX = 60;
export const ALLOWED_ORIGINS_MAX = 20;
export const AVATAR_MAX_BYTES = 256 * 1024;
export const AVATAR_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
/** Header the widget panel sends with the host page's origin (checked against allowedOrigins). */
export const EMBED_ORIGIN_HEADER = 'x-embed-origin';

/** An exact origin: scheme://host[:port], no path, no trailing slash. */
const originSchema = plainText(z.string().trim()).refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}, 'Write an exact origin like https://shop.example.com (scheme and host, optional port, no path).');

const countLimit = (label: string) =>
  z
    .number({ error: `${label} must be a number` })
    .int(`${label} must be a whole number`)
    .min(1, `${label} must be at least 1`)
    .max(1_000_000, `${label} must be at most 1000000`);

export const visitorLimitsSchema = z
  .object({
    /** Messages one visitor may send per rolling hour. */
    messagesPerHour: countLimit('Messages per hour'),
    /** Messages one visitor may send per rolling day. */
    messagesPerDay: countLimit('Messages per day'),
    /** Answers one visitor may have streaming at once. */
    concurrentAnswers: countLimit('Answers at once').max(20, 'Answers at once must be at most 20'),
    /** This bot's spend per calendar month (UTC), in USD; ≤ the owner's plan budget when it has one. */
    monthlySpendCapUsd: z
      .number({ error: 'Monthly spend cap must be a number' })
      .min(0, 'Monthly spend cap must be at least 0')
      .max(1_000_000, 'Monthly spend cap must be at most 1000000'),
    /** Visitor tokens issued plus messages sent from one IP per hour (all visitors of this bot). */
    perIpPerHour: countLimit('Per-IP requests per hour'),
  })
  .strict();
export type VisitorLimits = z.infer<typeof visitorLimitsSchema>;

export const appearanceSchema = z
  .object({
    accent: z.string().regex(/^#[0-9a-f]{6}$/i, 'Pick a colour like #2563eb.'),
    theme: z.enum(WIDGET_THEMES, { error: 'Theme must be light, dark or auto' }),
    position: z.enum(WIDGET_POSITIONS, { error: 'Position must be right or left' }),
    title: plainText(
      z.string().trim().max(WIDGET_TITLE_MAX, `A title has at most ${WIDGET_TITLE_MAX} characters.`),
    ),
    launcherIcon: z.enum(LAUNCHER_ICONS, { error: 'Launcher icon must be chat, help or sparkle' }),
  })
  .strict();

export interface Appearance extends z.infer<typeof appearanceSchema> {
  /** Set by PUT /api/chatbots/:id/publication/avatar; null: no avatar. */
  avatarUrl: string | null;
}

/** PUT /api/chatbots/:id/publication. Unknown fields are refused. avatarUrl is set by the avatar upload. */
export const publicationSettingsBody = z
  .object({
    mode: z.enum(PUBLICATION_MODES, { error: 'Mode must be off, link or widget' }),
    slug: z
      .string()
      .trim()
      .min(SLUG_MIN, `A public address has at least ${SLUG_MIN} characters.`)
      .max(SLUG_MAX, `A public address has at most ${SLUG_MAX} characters.`)
      .regex(SLUG_PATTERN, 'Use lower-case letters, digits and dashes (not at the start or end).'),
    greeting: plainText(z.string().max(GREETING_MAX, `A greeting has at most ${GREETING_MAX} characters.`)),
    suggestions: z
      .array(
        plainText(
          z
            .string()
            .trim()
            .min(1, 'A suggestion cannot be empty.')
            .max(SUGGESTION_MAX, `A suggestion has at most ${SUGGESTION_MAX} characters.`),
        ),
      )
      .max(SUGGESTIONS_MAX, `At most ${SUGGESTIONS_MAX} suggestions.`),
    appearance: appearanceSchema,
    allowedOrigins: z
      .array(originSchema)
      .max(ALLOWED_ORIGINS_MAX, `At most ${ALLOWED_ORIGINS_MAX} websites.`),
    limits: visitorLimitsSchema,
    inGallery: z.boolean({ error: 'In gallery must be true or false' }),
  })
  .strict();
export type PublicationSettingsBody = z.input<typeof publicationSettingsBody>;

/** GET/PUT /api/chatbots/:id/publication. */
export interface PublicationSettings {
  chatbotId: string;
  mode: PublicationMode;
  slug: string;
  greeting: string;
  suggestions: string[];
  appearance: Appearance;
  allowedOrigins: string[];
  limits: VisitorLimits;
  inGallery: boolean;
  /** Whether the owner's plan allows publishing now (false: the bot is dark whatever its mode). */
  planAllowsPublishing: boolean;
  /** The plan's ceiling for monthlySpendCapUsd (its monthly budget), or null: no ceiling. */
  maxSpendCapUsd: number | null;
  /** The share link path, '/c/<slug>'. */
  sharePath: string;
  updatedAt: string | null;
}

/** GET /api/public/bots/:slug — never the system prompt, model, owner or limits. */
export interface PublicBot {
  slug: string;
  name: string;
  greeting: string;
  suggestions: string[];
  appearance: Appearance;
  mode: Exclude<PublicationMode, 'off'>;
}

/** POST /api/public/bots/:slug/visitors */
export interface VisitorTokenResponse {
  token: string;
}

/** GET /api/public/bots/:slug/conversations */
export interface PublicConversationSummary {
  id: string;
  title: string;
  updatedAt: string;
}

export type FeedbackRating = 'up' | 'down';

/** The app's message shape minus model and cost fields, plus the visitor's own rating. */
export type PublicChatMessage = Pick<
  ChatMessage,
  'id' | 'conversationId' | 'role' | 'content' | 'status' | 'errorCode' | 'createdAt'
> & { feedback?: FeedbackRating | null };

/** GET /api/public/bots/:slug/conversations/:id */
export interface PublicConversation {
  id: string;
  title: string;
  messages: PublicChatMessage[];
  /** The answer being written now, if any: pass both to the live stream (see ConversationWithMessages). */
  live?: { assistantMessageId: string; seq: number } | null;
}

/** POST /api/public/bots/:slug/chat — only the message and the conversation; anything else is refused. */
export { chatRequestBody as publicChatBody } from './chat.js';

/** PUT /api/public/bots/:slug/messages/:id/feedback */
export const feedbackBody = z.object({ rating: z.enum(['up', 'down']).nullable() }).strict();
export type FeedbackBody = z.infer<typeof feedbackBody>;

/** GET /api/public/gallery */
export interface GalleryBot {
  slug: string;
  name: string;
  description: string;
  avatarUrl: string | null;
}

/** PUT /api/chatbots/:id/publication/avatar */
export interface AvatarResponse {
  avatarUrl: string | null;
}

/** GET /api/chatbots/:id/inbox?q=&before= */
export interface InboxConversation {
  id: string;
  title: string;
  firstQuestion: string;
  messageCount: number;
  updatedAt: string;
  feedback: { up: number; down: number };
}
export interface InboxPage {
  conversations: InboxConversation[];
  /** Pass as `before` for the next (older) page; null: no more. */
  next: string | null;
}

/** GET /api/chatbots/:id/inbox/:conversationId — answers carry the visitor's feedback. */
export interface InboxConversationDetail {
  id: string;
  title: string;
  updatedAt: string;
  messages: Array<ChatMessage & { feedback: FeedbackRating | null }>;
}

/** GET /api/chatbots/:id/analytics?days=30 (and analytics.csv, the same days as text/csv). */
export interface AnalyticsDay {
  /** YYYY-MM-DD (UTC) */
  date: string;
  conversations: number;
  messages: number;
  tokens: number;
  costUsd: number;
}
export interface PublicationAnalytics {
  days: AnalyticsDay[];
  topFirstQuestions: Array<{ text: string; count: number }>;
}
