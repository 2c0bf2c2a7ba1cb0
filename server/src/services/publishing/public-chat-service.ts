import type {
  ChatRequestBody,
  FeedbackRating,
  GalleryBot,
  PublicConversation,
  PublicConversationSummary,
  VisitorLimits,
} from '@app/common';
import { AppError, notFound } from '../../errors.js';
import type { ChatService } from '../chat/chat-service.js';
import type { CallAdmission, CallRequest, TurnOptions, TurnOutcome, TurnSink } from '../chat/chat-types.js';
import type { ConversationService } from '../conversation-service.js';
import type { LimitsService, ModelPrice } from '../limits/index.js';
import { admitWithBotCap } from './bot-spend.js';
import { toGalleryBot, toPublicEnd, toPublicMessage } from './public-views.js';
import type { PublishedBots, LiveBot } from './published-bots.js';
import type { VisitorCaps } from './visitor-caps.js';
import type { VisitorRepository } from './visitor-repository.js';
import type { Visitor, VisitorTokens } from './visitor-token.js';

/** Where a public request comes from, as the HTTP layer read it. */
export interface PublicCaller {
  /** `Authorization` header (the visitor token). */
  authorization?: string | undefined;
  /** The browser's `Origin`, when it sent one. */
  origin?: string | undefined;
  /** `X-Embed-Origin`: the host page of the widget panel. */
  embedOrigin?: string | undefined;
  ip: string;
}

export interface VisitorContext {
  bot: LiveBot;
  visitor: Visitor;
}

export interface PublicChatDeps {
  bots: PublishedBots;
  tokens: VisitorTokens;
  caps: VisitorCaps;
  visitors: VisitorRepository;
  chat: Pick<ChatService, 'chat' | 'stopMessage'>;
  conversations: Pick<ConversationService, 'get'>;
  /** The owner's admission (plan limits, budget, concurrency): what every signed-in turn goes through. */
  admit: (call: CallRequest) => Promise<CallAdmission>;
  /** The bots' monthly spend counters (a LimitsService keyed by chatbot). */
  botSpend: LimitsService;
  modelPrice: (model: string) => ModelPrice | undefined;
  /** The app's own origins (the share page and the panel are served from them). */
  trustedOrigins: readonly string[];
}

const VISITOR_LIST_LIMIT = 50;

/**
 * The public chat of a published chatbot, for visitors without an account. Every call resolves
 * the bot (404 when off, unknown, or its owner's plan no longer allows publishing), checks the
 * origin, the visitor token and the caps, then uses the owner's chat path: the conversation is the
 * owner's (billed to the owner's plan, its limits apply) and the visitor's (visitor_id).
 * A visitor can send a message and nothing else: model, prompt and settings are the bot's.
 */
export class PublicChatService {
  readonly #trusted: ReadonlySet<string>;

  constructor(private readonly deps: PublicChatDeps) {
    this.#trusted = new Set(deps.trustedOrigins.map((origin) => new URL(origin).origin));
  }

  /** The published bot (for GET /api/public/bots/:slug). */
  async bot(slug: string, caller: PublicCaller): Promise<LiveBot> {
    const bot = await this.deps.bots.resolve(slug);
    this.#checkOrigin(bot, caller);
    return bot;
  }

  async issueVisitor(slug: string, caller: PublicCaller): Promise<{ token: string }> {
    const bot = await this.bot(slug, caller);
    await this.deps.caps.countIp(bot.row.chatbotId, caller.ip, bot.row.limits);
    return { token: this.deps.tokens.issue(bot.row.chatbotId).token };
  }

  async visitor(slug: string, caller: PublicCaller): Promise<VisitorContext> {
    const bot = await this.bot(slug, caller);
    return { bot, visitor: this.deps.tokens.verify(caller.authorization, bot.row.chatbotId) };
  }

  /** A visitor's message: caps, then the owner's chat path with the bot's spend cap added. */
  async chat(
    slug: string,
    caller: PublicCaller,
    body: ChatRequestBody,
    sink: TurnSink,
    options: TurnOptions,
  ): Promise<TurnOutcome> {
    const { bot, visitor } = await this.visitor(slug, caller);
    const { chatbotId, userId: ownerId } = bot.row;
    const limits: VisitorLimits = bot.row.limits;
    if (body.conversationId) {
      const known = await this.deps.visitors.findConversation(
        chatbotId,
        visitor.visitorId,
        body.conversationId,
      );
      if (!known) throw notFound('Conversation');
    }
    await this.deps.caps.countIp(chatbotId, caller.ip, limits);
    await this.deps.caps.countMessage(chatbotId, visitor.visitorId, limits);
    const lease = await this.deps.caps.acquireAnswer(chatbotId, visitor.visitorId, limits);
    const admit = (call: CallRequest) =>
      admitWithBotCap(this.deps.admit, this.deps.botSpend, call, {
        chatbotId,
        capUsd: limits.monthlySpendCapUsd,
        price: this.deps.modelPrice(call.model),
      });
    try {
      // The owner's chat path: a new conversation is written with the turn (one statement, beside
      // the upstream call), as the visitor's.
      return await this.deps.chat.chat(
        ownerId,
        chatbotId,
        { message: body.message, ...(body.conversationId ? { conversationId: body.conversationId } : {}) },
        publicSink(sink),
        { ...options, admit, visitorId: visitor.visitorId },
      );
    } finally {
      await lease.release();
    }
  }

  async list(context: VisitorContext): Promise<PublicConversationSummary[]> {
    const rows = await this.deps.visitors.listConversations(
      context.bot.row.chatbotId,
      context.visitor.visitorId,
      VISITOR_LIST_LIMIT,
    );
    return rows.map((row) => ({ id: row.id, title: row.title, updatedAt: row.updatedAt.toISOString() }));
  }

  async conversation(context: VisitorContext, conversationId: string): Promise<PublicConversation> {
    await this.#ownConversation(context, conversationId);
    const [read, feedback] = await Promise.all([
      this.deps.conversations.get(context.bot.row.userId, conversationId),
      this.deps.visitors.feedbackOf([conversationId]),
    ]);
    return {
      id: read.id,
      title: read.title,
      messages: read.messages.map((message) => toPublicMessage(message, feedback.get(message.id) ?? null)),
      live: read.live ?? null,
    };
  }

  /** The conversation's last activity, for the live stream (another visitor's: 404). */
  async activity(context: VisitorContext, conversationId: string): Promise<{ updatedAt: string }> {
    const row = await this.#ownConversation(context, conversationId);
    return { updatedAt: row.updatedAt.toISOString() };
  }

  async stop(context: VisitorContext, messageId: string): Promise<boolean> {
    const message = await this.deps.visitors.findMessage(
      context.bot.row.chatbotId,
      context.visitor.visitorId,
      messageId,
    );
    if (!message) throw notFound('Message');
    return this.deps.chat.stopMessage(context.bot.row.userId, messageId);
  }

  async feedback(context: VisitorContext, messageId: string, rating: FeedbackRating | null): Promise<void> {
    const message = await this.deps.visitors.findMessage(
      context.bot.row.chatbotId,
      context.visitor.visitorId,
      messageId,
    );
    if (!message) throw notFound('Message');
    if (message.role !== 'assistant') throw new AppError('bad_request', 'Only answers can be rated.');
    await this.deps.visitors.setFeedback(message, context.bot.row.chatbotId, rating);
  }

  async gallery(): Promise<GalleryBot[]> {
    return (await this.deps.bots.gallery()).map(toGalleryBot);
  }

  async #ownConversation(context: VisitorContext, conversationId: string) {
    const row = await this.deps.visitors.findConversation(
      context.bot.row.chatbotId,
      context.visitor.visitorId,
      conversationId,
    );
    if (!row) throw notFound('Conversation');
    return row;
  }

  /**
   * The widget panel names its host page (X-Embed-Origin): it must be one the owner allowed, and
   * the bot must be in widget mode. A browser Origin must be ours or an allowed one. (Both can be
   * forged outside a browser: the caps are the real fence, docs/publishing.md.)
   */
  #checkOrigin(bot: LiveBot, caller: PublicCaller): void {
    const allowed = bot.row.allowedOrigins;
    if (caller.embedOrigin !== undefined) {
      if (bot.row.mode !== 'widget' || !allowed.includes(caller.embedOrigin)) throw originNotAllowed();
    }
    if (
      caller.origin !== undefined &&
      !this.#trusted.has(caller.origin) &&
      !allowed.includes(caller.origin)
    ) {
      throw originNotAllowed();
    }
  }
}

function originNotAllowed(): AppError {
  return new AppError('origin_not_allowed', 'This chatbot may not be embedded on this website.');
}

/** The caller's sink, with the run's end as a visitor may see it. */
function publicSink(sink: TurnSink): TurnSink {
  return {
    start: (meta) => sink.start(meta),
    delta: (text, seq) => sink.delta(text, seq),
    drained: () => sink.drained(),
    ...(sink.end ? { end: (end) => sink.end!(toPublicEnd(end)) } : {}),
    get closed() {
      return sink.closed ?? false;
    },
  };
}
