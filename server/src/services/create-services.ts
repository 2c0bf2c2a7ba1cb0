import type { BaseLogger } from 'pino';
import { createSessionCache } from '../auth/session-cache.js';
import type { Config } from '../config/index.js';
import type { PlanStore } from '../config/plans-store.js';
import type { Database } from '../db/database.js';
import type { LlmBackend } from '../llm/create-llm-backend.js';
import { assertModelAllowed, chatbotModelSettings } from '../models/eligibility.js';
import type { ModelCatalog } from '../models/model-catalog.js';
import { createInvalidationChannel, type Invalidation } from '../redis/invalidation-channel.js';
import { createRunChannel } from '../redis/run-channel.js';
import { createStopChannel } from '../redis/stop-channel.js';
import { RunHub } from './runs/run-hub.js';
import { withAnswerAttribution } from './chat/answer-attribution.js';
import { ChatService } from './chat/chat-service.js';
import type { CallAdmission, CallRequest } from './chat/chat-types.js';
import { startRecoveryJob, type RecoveryJob } from './chat/recovery-job.js';
import { ChatbotService } from './chatbot-service.js';
import { ConversationService } from './conversation-service.js';
import { withModelCapabilities } from './model-call-shaping.js';
import { createLimits, ledgerSpentThisMonth } from './limits/index.js';
import { PromptService } from './prompt-service.js';
import { SubscriptionService } from './subscription-service.js';
import { UsageService } from './usage-service.js';
import { createPublishing } from './publishing/create-publishing.js';
import { createApiServices } from './api-keys/create-api-services.js';

export interface ServiceDeps {
  config: Config;
  database: Database;
  llm: LlmBackend;
  catalog: ModelCatalog;
  plans: PlanStore;
  /** pino's logger shape (app.log): its methods take a message, or an object and a message. */
  logger: Pick<BaseLogger, 'info' | 'warn' | 'error'>;
  /** The server's auth secret: visitor tokens (issue 22) are signed with a key derived from it. */
  secret: string;
}

/**
 * The services and the policies between them (plan → models, plan → limits), built once per app.
 * No HTTP here: app.ts hands these to the routes.
 */
export function createServices({ config, database, llm, catalog, plans, logger, secret }: ServiceDeps) {
  const planNames = () => [...plans.current().plans];
  const limits = createLimits({
    redisUrl: config.redisUrl,
    logger,
    spentThisMonth: ledgerSpentThisMonth(database.db),
    failurePolicy: config.limits.failurePolicy,
    commandTimeoutMs: config.limits.redisCommandTimeoutMs,
  });

  // Chatbot rows, plans and sessions are kept in memory (the chat path reads none of them from the
  // database when warm). A change is applied at once on this instance, told to the others over Redis
  // when there is one, and otherwise bounded by the caches' TTL (docs/architecture.md).
  const sessions = createSessionCache();
  const invalidations = limits.redis
    ? createInvalidationChannel(
        limits.redis,
        {
          onInvalidation: (invalidation) => {
            if (invalidation.kind === 'chatbot') {
              chatbots.forget(invalidation.chatbotId);
              publishing.forget();
            } else if (invalidation.kind === 'plan') subscriptions.forget(invalidation.userId);
            else if (invalidation.kind === 'api_key') api.keys.forget(invalidation.keyId);
            else {
              sessions.forgetGroup(invalidation.userId);
              // A disabled or deleted owner: their keys are verified again.
              api.keys.forgetOwner(invalidation.userId);
            }
          },
          onResubscribed: () => {
            api.keys.forgetAll();
            chatbots.forgetAll();
            publishing.forget();
            subscriptions.forgetAll();
            sessions.clear();
          },
        },
        logger,
      )
    : null;
  /** The write is done and applied here: a failed announcement leaves the others to their TTL. */
  const announce = async (invalidation: Invalidation) => {
    await invalidations?.publish(invalidation).catch((error: Error) => {
      logger.warn(
        `invalidation channel: cannot publish (${error.message}); other instances apply the change within the cache TTL`,
      );
    });
  };

  /**
   * A user's sessions, role or profile changed (sign-out, password change, role change): every
   * cached session of theirs is looked up again, here at once and elsewhere when told.
   */
  const userChanged = async (userId: string) => {
    sessions.forgetGroup(userId);
    api.keys.forgetOwner(userId);
    await announce({ kind: 'user', userId });
  };

  const subscriptions = new SubscriptionService(database.db, planNames, {
    onPlanChange: (userId) => announce({ kind: 'plan', userId }),
    onRoleChange: userChanged,
  });
  const withLimits = (plan: string | null) => {
    const table = plans.current();
    const known = table.hasPlan(plan) ? plan : null;
    return { plan: known, limits: table.limitsFor(known) };
  };
  /** The caller's plan (null when anonymous or without one), from the plan cache. */
  const activePlanOf = async (userId: string | null) =>
    userId ? subscriptions.cachedActivePlan(userId) : null;
  /** The caller's plan and its limits: the model list, the rate limit, every model and budget check. */
  const planOf = async (userId: string | null) => withLimits(await activePlanOf(userId));
  // Checked on every create/update/chat: a downgrade applies on the next call.
  const checkModel = async (userId: string, model: string) => {
    assertModelAllowed(catalog, plans.current(), (await planOf(userId)).plan, model);
  };

  /** Plan limits for one LLM call: throws 413/429/503 before anything is written or sent. */
  const admitCall = async (call: CallRequest): Promise<CallAdmission> => {
    const { plan, limits: planLimits } = await planOf(call.userId);
    return limits.service.admit({ ...call, plan, limits: planLimits, price: catalog.get(call.model) });
  };

  // Each call's options as its model takes them (no temperature it ignores, only efforts it has), and
  // each answer's alias as far as anything tells (fallbacks, chat/answer-attribution.ts).
  const llmClient = withAnswerAttribution(withModelCapabilities(llm.client, catalog), catalog);

  const chatbots = new ChatbotService(database.db, {
    defaultModel: config.llm.modelChat,
    defaultMaxTokens: config.chatbots.defaultMaxTokens,
    maxTokensCeiling: config.chatbots.maxTokensCeiling,
    assertModelAllowed: checkModel,
    // The same numbers GET /api/llm/models announces to the form.
    modelSettings: async (userId, model) =>
      chatbotModelSettings(
        catalog,
        plans.current(),
        (await planOf(userId)).plan,
        model,
        config.chatbots.maxTokensCeiling,
      ),
    onChange: (chatbotId) => {
      // Its name (shown to visitors) may have changed, or it is gone: the publication copies too.
      publishing.forget();
      return announce({ kind: 'chatbot', chatbotId });
    },
  });
  // Several instances: a Stop that lands on another replica reaches the one streaming the answer.
  const stopChannel = limits.redis
    ? createStopChannel(limits.redis, (messageId) => chat.stopBroadcast(messageId), logger)
    : null;
  // Several instances: a run's viewers may be on any of them (Redis pub/sub + its shared text).
  const runRelay = limits.redis ? createRunChannel(limits.redis) : null;
  const runs = new RunHub({ ...(runRelay ? { relay: runRelay } : {}), logger });
  const chat = new ChatService(database.db, llmClient, chatbots, {
    runs,
    historyMaxChars: config.chat.historyMaxChars,
    maxTurnMs: config.chat.maxTurnMs,
    maxAnswerChars: config.chat.maxAnswerChars,
    assertModelAllowed: checkModel,
    admit: admitCall,
    ...(stopChannel ? { broadcastStop: (messageId: string) => stopChannel.publish(messageId) } : {}),
    logger,
  });
  const usage = new UsageService(database.db);
  const conversations = new ConversationService(database.db, chatbots, {
    liveRun: (conversationId) => chat.runs.peek(conversationId),
  });
  // Published chatbots (issue 22): visitors chat through the owner's chat path and limits.
  const publishing = createPublishing({
    db: database.db,
    secret,
    chatbots,
    chat,
    conversations,
    planOf,
    plans: () => plans.current(),
    catalog,
    admit: admitCall,
    limits: limits.service,
    trustedOrigins: config.server.trustedOrigins,
    announceChange: (chatbotId) => announce({ kind: 'chatbot', chatbotId }),
    logger,
  });
  // The chatbot API (/v1): keys, and stateless completions through the same limits and ledger.
  const api = createApiServices({
    db: database.db,
    llm: llmClient,
    catalog,
    plans: () => plans.current(),
    activePlanOf,
    chatbots,
    assertModelAllowed: checkModel,
    admit: admitCall,
    limitsStore: limits.service.store,
    usage,
    logger,
    maxTurnMs: config.chat.maxTurnMs,
    announceRevoke: (keyId) => announce({ kind: 'api_key', keyId }),
  });

  let recovery: RecoveryJob | null = null;
  return {
    sessions,
    userChanged,
    planNames,
    planOf,
    activePlanOf,
    subscriptions,
    limits,
    chatbots,
    chat,
    conversations,
    publishing,
    usage,
    api,
    prompts: new PromptService(llmClient, usage, { model: config.llm.modelPromptGen, admit: admitCall }),
    /** Answers left `streaming` by a dead process become `interrupted`: now, then every 30 s. */
    startRecovery: () => {
      recovery = startRecoveryJob(chat, { intervalMs: 30_000, staleAfterMs: 10_000, logger });
    },
    /** Shutdown: live answers are aborted and saved `interrupted` with their partial text. */
    finalize: async (graceMs: number) => {
      recovery?.stop();
      await chat.finalizeAll(graceMs);
    },
    close: async () => {
      await stopChannel?.close();
      await runRelay?.close();
      await invalidations?.close();
      await limits.close();
    },
  };
}

export type Services = ReturnType<typeof createServices>;
