import type { PlanTable } from '../../config/plans.js';
import type { Db } from '../../db/database.js';
import type { ModelCatalog } from '../../models/model-catalog.js';
import type { CallAdmission, CallRequest } from '../chat/chat-types.js';
import type { ChatService } from '../chat/chat-service.js';
import type { ChatbotService } from '../chatbot-service.js';
import type { ConversationService } from '../conversation-service.js';
import { LimitsService, type LimitsLogger } from '../limits/index.js';
import type { PlanLimits } from '../limits/limits-service.js';
import { visitorSpentThisMonth } from './bot-spend.js';
import { InboxService } from './inbox-service.js';
import { PublicChatService } from './public-chat-service.js';
import { PublicationService } from './publication-service.js';
import { PublicationRepository } from './publication-repository.js';
import { PublishedBots } from './published-bots.js';
import { VisitorCaps } from './visitor-caps.js';
import { VisitorRepository } from './visitor-repository.js';
import { VisitorTokens } from './visitor-token.js';

export interface PublishingDeps {
  db: Db;
  /** Derives the visitor-token key (the server's auth secret). */
  secret: string;
  chatbots: Pick<ChatbotService, 'getRow'>;
  chat: ChatService;
  conversations: ConversationService;
  planOf: (userId: string) => Promise<{ plan: string | null; limits: PlanLimits }>;
  plans: () => PlanTable;
  catalog: Pick<ModelCatalog, 'get'>;
  /** The owner's admission of an LLM call (create-services' admitCall). */
  admit: (call: CallRequest) => Promise<CallAdmission>;
  /** The app's limits (its store is shared with the visitor caps and the bots' spend). */
  limits: LimitsService;
  trustedOrigins: readonly string[];
  /** Tells the other instances a chatbot changed (their publication copies are dropped too). */
  announceChange: (chatbotId: string) => Promise<void>;
  logger: LimitsLogger;
}

/** Issue 22's services: the owner's settings, the public chat, the inbox. */
export function createPublishing(deps: PublishingDeps) {
  const publishingFor = (plan: string | null) => deps.plans().publishingFor(plan);
  const bots = new PublishedBots({
    repository: new PublicationRepository(deps.db),
    activePlanOf: async (userId) => (await deps.planOf(userId)).plan,
    publishingFor,
  });
  const settings = new PublicationService(deps.db, {
    chatbots: deps.chatbots,
    planOf: deps.planOf,
    publishingFor,
    onChange: async (chatbotId) => {
      bots.forget();
      await deps.announceChange(chatbotId);
    },
  });
  // The bots' monthly spend: the same store and scripts as the users' budgets, counted per chatbot.
  const botSpend = new LimitsService({
    store: deps.limits.store,
    spentThisMonth: visitorSpentThisMonth(deps.db, (model) => deps.catalog.get(model)),
    logger: deps.logger,
    keyPrefix: 'limits:bot:',
  });
  const publicChat = new PublicChatService({
    bots,
    tokens: new VisitorTokens(deps.secret),
    caps: new VisitorCaps(deps.limits),
    visitors: new VisitorRepository(deps.db),
    chat: deps.chat,
    conversations: deps.conversations,
    admit: deps.admit,
    botSpend,
    modelPrice: (model) => deps.catalog.get(model),
    trustedOrigins: deps.trustedOrigins,
  });
  return {
    settings,
    publicChat,
    bots,
    botSpend,
    inbox: new InboxService(deps.db, deps.chatbots, deps.conversations, (model) => deps.catalog.get(model)),
    /** A chatbot changed on another instance: its publication may have too. */
    forget: () => bots.forget(),
  };
}

export type Publishing = ReturnType<typeof createPublishing>;
