import { and, desc, eq } from 'drizzle-orm';
import type { Chatbot, CreateChatbotBody, ReasoningEffort, UpdateChatbotBody } from '@app/common';
import type { Db } from '../db/database.js';
import { chatbots } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { maxTokensLimit, type ModelSettings } from '../models/model-capabilities.js';
import { ReadThroughCache, type ReadThroughCacheOptions } from './cache/read-through-cache.js';

type ChatbotRow = typeof chatbots.$inferSelect;

/** 10,000 rows, 60 s each, and about 32 MB (a system prompt may hold 20,000 characters). */
const ROW_CACHE: ReadThroughCacheOptions<ChatbotRow> = {
  max: 10_000,
  ttlMs: 60_000,
  maxSize: {
    total: 32 * 1024 * 1024,
    sizeOf: (row) => 512 + 2 * (row.name.length + row.description.length + row.systemPrompt.length),
  },
};

export interface ChatbotServiceOptions {
  defaultModel: string;
  defaultMaxTokens: number;
  maxTokensCeiling: number;
  /** Throws AppError('model_not_allowed') when the user may not use the model. */
  assertModelAllowed: (userId: string, model: string) => Promise<void>;
  /**
   * What a chatbot on the model may set for this user (eligibility.ts `chatbotModelSettings`: the
   * model's limit and the ceiling combined, its reasoning efforts) — the numbers GET /api/llm/models
   * announces. Absent: only `maxTokensCeiling` is checked and no reasoning effort is accepted.
   */
  modelSettings?: (userId: string, model: string) => Promise<ModelSettings>;
  /** Rows kept in memory for the chat path (getCachedRow). Default: see ROW_CACHE. */
  cache?: ReadThroughCacheOptions<ChatbotRow>;
  /**
   * Told after a chatbot was updated or deleted through this service, once this instance's copy is
   * dropped: tells the other instances (create-services.ts broadcasts it over Redis).
   */
  onChange?: (chatbotId: string) => void | Promise<void>;
}

/** Chatbot CRUD, always scoped to the owner: another user's id is simply "not found". */
export class ChatbotService {
  private readonly rows: ReadThroughCache<ChatbotRow>;

  constructor(
    private readonly db: Db,
    private readonly options: ChatbotServiceOptions,
  ) {
    this.rows = new ReadThroughCache(options.cache ?? ROW_CACHE);
  }

  async list(userId: string): Promise<Chatbot[]> {
    const rows = await this.db
      .select()
      .from(chatbots)
      .where(eq(chatbots.userId, userId))
      .orderBy(desc(chatbots.createdAt));
    return rows.map(toChatbot);
  }

  async get(userId: string, id: string): Promise<Chatbot> {
    return toChatbot(await this.getRow(userId, id));
  }

  /**
   * The row for a chat turn, from memory when this instance has read it before. Dropped at once
   * when it is updated or deleted here (and, through onChange and Redis, on the other instances);
   * kept at most `cache.ttlMs` otherwise. Owner-checked like getRow.
   */
  async getCachedRow(userId: string, id: string): Promise<ChatbotRow> {
    const row = await this.rows.get(id, () => this.readRow(id));
    if (row.userId !== userId) throw notFound('Chatbot');
    return row;
  }

  /** Drops this instance's copy of a chatbot (a change announced by another instance). */
  forget(id: string): void {
    this.rows.forget(id);
  }

  /** Drops every copy (changes from other instances may have been missed). */
  forgetAll(): void {
    this.rows.clear();
  }

  private async readRow(id: string): Promise<ChatbotRow> {
    const rows = await this.db.select().from(chatbots).where(eq(chatbots.id, id)).limit(1);
    if (!rows[0]) throw notFound('Chatbot');
    return rows[0];
  }

  /** The stored row, read now (CRUD reads; conversations). */
  async getRow(userId: string, id: string): Promise<ChatbotRow> {
    const rows = await this.db
      .select()
      .from(chatbots)
      .where(and(eq(chatbots.id, id), eq(chatbots.userId, userId)))
      .limit(1);
    const row = rows[0];
    if (!row) throw notFound('Chatbot');
    return row;
  }

  async create(userId: string, body: CreateChatbotBody): Promise<Chatbot> {
    const model = body.model ?? this.options.defaultModel;
    await this.options.assertModelAllowed(userId, model);
    const settings = await this.settingsFor(userId, model);
    // The default fits the model: a small model limit lowers it instead of refusing a chatbot never set.
    const maxTokens =
      body.maxTokens === undefined
        ? Math.min(this.options.defaultMaxTokens, settings.maxTokens.max)
        : checkMaxTokens(body.maxTokens, settings);
    const reasoningEffort = checkReasoningEffort(body.reasoningEffort ?? null, settings);
    const now = new Date();
    const [row] = await this.db
      .insert(chatbots)
      .values({
        id: crypto.randomUUID(),
        userId,
        name: body.name,
        description: body.description ?? '',
        systemPrompt: body.systemPrompt ?? '',
        model,
        temperature: body.temperature ?? 0.7,
        maxTokens,
        reasoningEffort,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    return toChatbot(row!);
  }

  async update(userId: string, id: string, body: UpdateChatbotBody): Promise<Chatbot> {
    const current = await this.getRow(userId, id);
    const modelChanges = body.model !== undefined && body.model !== current.model;
    if (modelChanges) await this.options.assertModelAllowed(userId, body.model!);
    const reasoningEffort = body.reasoningEffort ?? null;
    if (modelChanges || body.maxTokens !== undefined || reasoningEffort !== null) {
      const settings = await this.settingsFor(userId, body.model ?? current.model);
      // A new model must take the length the chatbot keeps; a temperature it does not honour is kept
      // (and not sent), as is a stored reasoning effort it lacks (not sent either: llm-call-shaping).
      if (modelChanges || body.maxTokens !== undefined)
        checkMaxTokens(body.maxTokens ?? current.maxTokens, settings);
      checkReasoningEffort(reasoningEffort, settings);
    }
    const [row] = await this.db
      .update(chatbots)
      .set({ ...body, updatedAt: new Date() })
      .where(and(eq(chatbots.id, id), eq(chatbots.userId, userId)))
      .returning();
    if (!row) throw notFound('Chatbot');
    await this.changed(id);
    return toChatbot(row);
  }

  async delete(userId: string, id: string): Promise<void> {
    const deleted = await this.db
      .delete(chatbots)
      .where(and(eq(chatbots.id, id), eq(chatbots.userId, userId)))
      .returning({ id: chatbots.id });
    if (deleted.length === 0) throw notFound('Chatbot');
    await this.changed(id);
  }

  private async changed(id: string): Promise<void> {
    this.rows.forget(id);
    await this.options.onChange?.(id);
  }

  private async settingsFor(userId: string, model: string): Promise<ModelSettings> {
    if (this.options.modelSettings) return this.options.modelSettings(userId, model);
    return {
      maxTokens: maxTokensLimit(undefined, { ceiling: this.options.maxTokensCeiling }),
      honoursTemperature: true,
      reasoningEfforts: [],
    };
  }
}

/** Field errors in words (the form shows them under the field): never a variable or config name. */
function checkMaxTokens(maxTokens: number, settings: ModelSettings): number {
  const { max } = settings.maxTokens;
  if (maxTokens > max) {
    throw new AppError(
      'validation_failed',
      `Max tokens must be at most ${max.toLocaleString('en-US')} for this model.`,
      { details: { field: 'maxTokens', max } },
    );
  }
  return maxTokens;
}

function checkReasoningEffort(
  effort: ReasoningEffort | null,
  settings: ModelSettings,
): ReasoningEffort | null {
  if (effort === null || settings.reasoningEfforts.includes(effort)) return effort;
  const allowed = settings.reasoningEfforts;
  const message =
    allowed.length === 0
      ? 'Reasoning effort is not available for this model; leave it on the model default.'
      : `Reasoning effort must be ${formatChoices(allowed)} for this model.`;
  throw new AppError('validation_failed', message, { details: { field: 'reasoningEffort', allowed } });
}

const formatChoices = (values: readonly string[]) =>
  values.length === 1 ? values[0]! : `${values.slice(0, -1).join(', ')} or ${values.at(-1)!}`;

export function toChatbot(row: ChatbotRow): Chatbot {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    systemPrompt: row.systemPrompt,
    model: row.model,
    temperature: row.temperature,
    maxTokens: row.maxTokens,
    reasoningEffort: row.reasoningEffort ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
