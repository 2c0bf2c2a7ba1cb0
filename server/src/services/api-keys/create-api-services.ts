import type { Db } from '../../db/database.js';
import type { LlmClient } from '../../llm/client.js';
import type { CatalogReader } from '../../models/catalog-model.js';
import type { PlanTable } from '../../config/plans.js';
import type { CallAdmission, CallRequest } from '../chat/chat-types.js';
import type { ChatbotService } from '../chatbot-service.js';
import type { LimitsStore } from '../limits/index.js';
import type { LimitsLogger } from '../limits/failure-policy.js';
import type { UsageService } from '../usage-service.js';
import { ApiHistory } from './api-history.js';
import { ApiKeyService } from './api-key-service.js';
import { ChatbotDirectory } from './chatbot-directory.js';
import { CompletionService } from './completion-service.js';
import { KeyBudget } from './key-budget.js';

export interface ApiServicesDeps {
  db: Db;
  llm: LlmClient;
  catalog: Pick<CatalogReader, 'get'>;
  plans: () => PlanTable;
  activePlanOf(userId: string): Promise<string | null>;
  chatbots: Pick<ChatbotService, 'getCachedRow'>;
  assertModelAllowed(userId: string, model: string): Promise<void>;
  admit(call: CallRequest): Promise<CallAdmission>;
  limitsStore: LimitsStore;
  usage: Pick<UsageService, 'record'>;
  logger: LimitsLogger;
  maxTurnMs: number;
  /** Tells the other instances a key was revoked. */
  announceRevoke(keyId: string): Promise<void>;
}

/** The chatbot API's services (keys, the stateless completion), built once per app. */
export function createApiServices(deps: ApiServicesDeps) {
  const keys = new ApiKeyService(deps.db, {
    entitlement: async (userId) => {
      const table = deps.plans();
      const active = await deps.activePlanOf(userId);
      const plan = table.hasPlan(active) ? active : null;
      return { plan, ...table.apiKeysFor(plan) };
    },
    onRevoke: deps.announceRevoke,
  });
  const directory = new ChatbotDirectory(deps.db);
  const completions = new CompletionService({
    llm: deps.llm,
    catalog: deps.catalog,
    chatbots: deps.chatbots,
    directory,
    assertModelAllowed: deps.assertModelAllowed,
    admit: deps.admit,
    keyBudget: new KeyBudget(deps.db, deps.limitsStore, deps.logger),
    usage: deps.usage,
    history: new ApiHistory(deps.db),
    maxTurnMs: deps.maxTurnMs,
  });
  return { keys, directory, completions };
}

export type ApiServices = ReturnType<typeof createApiServices>;
