import { z } from 'zod';
import { plainText } from './text.js';

export const MESSAGE_MAX_CHARS = 100_000;

export const chatRequestBody = z
  .object({
    message: plainText(z.string().min(1, 'Message is required').max(MESSAGE_MAX_CHARS)),
    conversationId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,100}$/, 'not a valid id')
      .optional(),
  })
  .strict();
export type ChatRequestBody = z.infer<typeof chatRequestBody>;

/** POST /api/messages/:id/edit: the new text of a sent message (its later turns become a branch). */
export const editMessageBody = z
  .object({
    content: plainText(z.string().min(1, 'Write the new message.').max(MESSAGE_MAX_CHARS)),
  })
  .strict();
export type EditMessageBody = z.infer<typeof editMessageBody>;

/** PUT /api/conversations/:id/active: show (and continue) the branch through this message. */
export const activeBranchBody = z
  .object({
    messageId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'not a valid id'),
  })
  .strict();
export type ActiveBranchBody = z.infer<typeof activeBranchBody>;

export const generatePromptBody = z
  .object({
    description: plainText(z.string().trim().min(3, 'Describe the chatbot in a few words').max(2000)),
    name: plainText(z.string().trim().max(100)).optional(),
    tone: plainText(z.string().trim().max(100)).optional(),
  })
  .strict();
export type GeneratePromptBody = z.infer<typeof generatePromptBody>;

export interface GeneratePromptResult {
  systemPrompt: string;
  model: string;
}

export type MessageStatus = 'complete' | 'streaming' | 'stopped' | 'error' | 'interrupted';
export type MessageRole = 'user' | 'assistant';

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

export interface ChatMessage {
  id: string;
  conversationId: string;
  role: MessageRole;
  content: string;
  status: MessageStatus;
  errorCode?: string | null;
  model?: string | null;
  /**
   * The alias that answered when LiteLLM fell back from the requested one (for a mid-stream fallback,
   * the one that continued the text); null without a fallback or when it cannot be named. When it is
   * known: see docs/sse-protocol.md.
   */
  answeredBy?: string | null;
  /** True when a fallback answered this, or part of it, whether or not `answeredBy` can name it. */
  fallback?: boolean;
  /** The response's `model` (the requested alias, or a provider model name after a fallback), when reported. */
  upstreamModel?: string | null;
  finishReason?: string | null;
  usage?: Usage | null;
  costUsd?: number | null;
  /** Milliseconds from the call to the first token, as the server measured it (stored answers). */
  ttftMs?: number | null;
  /** Milliseconds the whole answer took (stored answers). */
  latencyMs?: number | null;
  createdAt: string;
  /** The message this one follows; null for the first (decision 0009: messages form a tree). */
  parentId?: string | null;
  /**
   * Conversation reads: the versions of this message (same parent), oldest first, itself included,
   * and its 0-based place among them. A `< 2/3 >` switcher shows when there are several.
   */
  siblingIds?: string[];
  siblingIndex?: number;
  siblingCount?: number;
}

export const CONVERSATION_TITLE_MAX_CHARS = 200;
export const CONVERSATION_SEARCH_MAX_CHARS = 200;

/** PATCH /api/conversations/:id */
export const renameConversationBody = z
  .object({
    title: plainText(
      z
        .string()
        .trim()
        .min(1, 'Give the conversation a title.')
        .max(CONVERSATION_TITLE_MAX_CHARS, `A title has at most ${CONVERSATION_TITLE_MAX_CHARS} characters.`),
    ),
  })
  .strict();
export type RenameConversationBody = z.infer<typeof renameConversationBody>;

export interface Conversation {
  id: string;
  chatbotId: string;
  title: string;
  createdAt: string;
  updatedAt: string;
  /** `api`: stored from the chatbot API on request (`X-Chatbot-Store: true`, docs/api.md). */
  source?: 'app' | 'api';
  /** Search results only: the message text around the first match ("…" where it was cut). */
  snippet?: string;
}

export interface ConversationWithMessages extends Conversation {
  /** The active branch, root first (other versions are reachable through `siblingIds`). */
  messages: ChatMessage[];
  /**
   * The answer being written right now, if any (on any instance): its message and `seq`, the length
   * of that message's `content` in this read. Pass both to the live stream to continue from there.
   */
  live?: LiveRunState | null;
}

/**
 * Where a live answer stands. `seq` counts the answer's text in UTF-16 code units (JavaScript string
 * length), like a TCP sequence number counts bytes: a delta with `seq` N ends at offset N.
 */
export interface LiveRunState {
  assistantMessageId: string;
  seq: number;
}

/**
 * SSE events of POST /api/chatbots/:id/chat, in order: meta, delta*, then exactly one of done | error.
 * The same events, with the live stream's `ready` and `turn`, make GET /api/conversations/:id/live.
 */
export interface ChatMetaEvent {
  conversationId: string;
  userMessageId: string;
  assistantMessageId: string;
  /** In a stream: the offset the next delta continues from (0, or the live stream's `after`). */
  seq?: number;
}
export interface ChatDeltaEvent {
  text: string;
  /** In a stream: the answer's length after this delta (the delta covers [seq - text.length, seq)). */
  seq?: number;
}
export interface ChatDoneEvent {
  assistantMessageId: string;
  finishReason: string | null;
  usage: Usage;
  costUsd?: number;
  /** Set only when LiteLLM fell back to another alias and it is known (see ChatMessage.answeredBy). */
  answeredBy?: string;
  /** Set (true) only when a fallback answered this or part of it, named or not (see ChatMessage.fallback). */
  fallback?: true;
  /** In a stream: the final length of the answer. */
  seq?: number;
}
export interface ChatErrorEvent {
  code: string;
  message: string;
  /** In a stream: the length of the answer kept. */
  seq?: number;
}

export type ChatSseEvent =
  | { event: 'meta'; data: ChatMetaEvent }
  | { event: 'delta'; data: ChatDeltaEvent }
  | { event: 'done'; data: ChatDoneEvent }
  | { event: 'error'; data: ChatErrorEvent };

/** The live stream's first event: it is attached, and what it found. */
export interface LiveReadyEvent {
  conversationId: string;
  /** The conversation's last activity; differs from a read's `updatedAt` when turns happened since. */
  updatedAt: string;
  /** The answer being written, or null. When set, `meta` and the missing text follow at once. */
  live: LiveRunState | null;
}

/** A new turn began in the conversation (in any tab, on any instance); its run's events follow. */
export interface LiveTurnEvent {
  conversationId: string;
  /** The new user message (with its `parentId`); null when an answer is being regenerated. */
  userMessage: ChatMessage | null;
  /** The new answer, `streaming` and empty; its `parentId` is the question. */
  assistantMessage: ChatMessage;
  /** Always empty since answers keep their versions (decision 0009); kept for older clients. */
  removedMessageIds: string[];
}

/**
 * Events of GET /api/conversations/:id/live: `ready` first, then for each run `meta`, `delta`*,
 * `done` | `error`, a new turn announced by `turn` before its `meta`. The stream stays open.
 */
export type LiveSseEvent =
  ChatSseEvent | { event: 'ready'; data: LiveReadyEvent } | { event: 'turn'; data: LiveTurnEvent };

/** Accept: application/json answer of the chat route. */
export interface ChatTurnResult extends ChatMetaEvent {
  content: string;
  status: MessageStatus;
  finishReason: string | null;
  usage: Usage;
  costUsd?: number;
  /** Set only when LiteLLM fell back to another alias and it is known. */
  answeredBy?: string;
  /** Set (true) only when a fallback answered this or part of it. */
  fallback?: true;
  error?: ChatErrorEvent;
}

/** GET /api/chatbots/:id/conversations?limit=&cursor=&q= (newest first; `q` searches titles and text). */
export interface ConversationPage {
  items: Conversation[];
  nextCursor: string | null;
}

export interface UsageTotals {
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  messages: number;
}

/** GET /api/usage: the caller's usage for the current calendar month (UTC). */
export interface UsageReport {
  month: string; // "2026-11"
  totals: UsageTotals;
  byModel: Array<UsageTotals & { model: string }>;
  byChatbot: Array<UsageTotals & { chatbotId: string; name: string }>;
}
