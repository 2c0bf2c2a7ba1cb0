import { createHash } from 'node:crypto';
import {
  AVATAR_MAX_BYTES,
  AVATAR_TYPES,
  type PublicationSettings,
  type PublicationSettingsBody,
  publicationSettingsBody,
} from '@app/common';
import type { PlanLimits, PlanPublishing } from '../../config/plans.js';
import type { Db } from '../../db/database.js';
import { sqlStateIn } from '../../db/sql-state.js';
import { AppError } from '../../errors.js';
import type { ChatbotService } from '../chatbot-service.js';
import {
  avatarUrlOf,
  DEFAULT_APPEARANCE,
  defaultVisitorLimits,
  suggestedSlug,
} from './publication-defaults.js';
import { PublicationRepository, type PublicationRow } from './publication-repository.js';

const UNIQUE_VIOLATION = '23505';

export interface PublicationServiceOptions {
  chatbots: Pick<ChatbotService, 'getRow'>;
  /** The owner's plan and its limits now (plan cache + the live plans table). */
  planOf: (userId: string) => Promise<{ plan: string | null; limits: PlanLimits }>;
  /** The plans table's publishing section of a plan. */
  publishingFor: (plan: string | null) => PlanPublishing;
  /** A publication changed: forget cached copies here and on the other instances. */
  onChange: (chatbotId: string) => Promise<void>;
}

/** The owner's side: settings per chatbot, checked against the plan; the avatar image. */
export class PublicationService {
  readonly repository: PublicationRepository;

  constructor(
    db: Db,
    private readonly options: PublicationServiceOptions,
  ) {
    this.repository = new PublicationRepository(db);
  }

  /** The chatbot's settings (defaults from the plan when never saved). 404 unless the caller owns it. */
  async get(userId: string, chatbotId: string): Promise<PublicationSettings> {
    const chatbot = await this.options.chatbots.getRow(userId, chatbotId);
    const [row, entitlement] = await Promise.all([
      this.repository.byChatbot(chatbotId),
      this.entitlement(userId),
    ]);
    if (row) return toSettings(row, entitlement);
    return {
      chatbotId,
      mode: 'off',
      slug: suggestedSlug(chatbot.name, chatbotId),
      greeting: '',
      suggestions: [],
      appearance: { ...DEFAULT_APPEARANCE, title: chatbot.name.slice(0, 60), avatarUrl: null },
      allowedOrigins: [],
      limits: defaultVisitorLimits(entitlement.publishing, entitlement.limits),
      inGallery: false,
      planAllowsPublishing: entitlement.publishing.allowed,
      maxSpendCapUsd: entitlement.limits.monthlySpendBudgetUsd ?? null,
      sharePath: `/c/${suggestedSlug(chatbot.name, chatbotId)}`,
      updatedAt: null,
    };
  }

  /** Saves the settings; refuses what the plan does not allow (403), a taken slug (409), a cap over the budget (400). */
  async put(userId: string, chatbotId: string, input: PublicationSettingsBody): Promise<PublicationSettings> {
    const body = publicationSettingsBody.parse(input);
    await this.options.chatbots.getRow(userId, chatbotId);
    const entitlement = await this.entitlement(userId);
    if (body.mode !== 'off') await this.assertMayPublish(userId, chatbotId, entitlement);
    const budget = entitlement.limits.monthlySpendBudgetUsd;
    if (budget !== undefined && body.limits.monthlySpendCapUsd > budget) {
      throw new AppError(
        'validation_failed',
        `The monthly spend cap must be at most $${budget}, your plan's monthly budget.`,
        { details: { field: 'limits.monthlySpendCapUsd', max: budget } },
      );
    }
    let row: PublicationRow;
    try {
      row = await this.repository.upsert({ chatbotId, userId, ...body });
    } catch (error) {
      if (sqlStateIn(error, (state) => state === UNIQUE_VIOLATION) === null) throw error;
      throw new AppError('slug_taken', `The address "${body.slug}" is taken; choose another.`, {
        details: { field: 'slug' },
      });
    }
    await this.options.onChange(chatbotId);
    return toSettings(row, entitlement);
  }

  /** Stores the image (png, jpeg or webp, checked by its bytes) and points the publication at it. */
  async putAvatar(
    userId: string,
    chatbotId: string,
    contentType: string | undefined,
    data: Buffer,
  ): Promise<{ avatarUrl: string }> {
    await this.options.chatbots.getRow(userId, chatbotId);
    const type = imageTypeOf(data);
    if (!type || type !== contentType?.split(';')[0]?.trim().toLowerCase()) {
      throw new AppError('validation_failed', 'The avatar must be a PNG, JPEG or WebP image.', {
        details: { field: 'avatar', types: AVATAR_TYPES },
      });
    }
    if (data.length > AVATAR_MAX_BYTES) {
      throw new AppError('payload_too_large', `The avatar must be at most ${AVATAR_MAX_BYTES / 1024} KB.`, {
        details: { field: 'avatar', max: AVATAR_MAX_BYTES },
      });
    }
    if (!(await this.repository.byChatbot(chatbotId))) {
      throw new AppError('conflict', 'Save the publishing settings once before adding an avatar.');
    }
    const file = `${createHash('sha256').update(data).digest('hex').slice(0, 32)}.${type.split('/')[1]}`;
    await this.repository.saveAvatarImage(file, chatbotId, type, data);
    await this.repository.setAvatar(chatbotId, file);
    await this.repository.deleteAvatarImages(chatbotId, file);
    await this.options.onChange(chatbotId);
    return { avatarUrl: avatarUrlOf(file)! };
  }

  async deleteAvatar(userId: string, chatbotId: string): Promise<void> {
    await this.options.chatbots.getRow(userId, chatbotId);
    await this.repository.setAvatar(chatbotId, null);
    await this.repository.deleteAvatarImages(chatbotId, null);
    await this.options.onChange(chatbotId);
  }

  private async entitlement(userId: string) {
    const { plan, limits } = await this.options.planOf(userId);
    return { plan, limits, publishing: this.options.publishingFor(plan) };
  }

  private async assertMayPublish(
    userId: string,
    chatbotId: string,
    entitlement: { plan: string | null; publishing: PlanPublishing },
  ): Promise<void> {
    const planName = entitlement.plan ? `The "${entitlement.plan}" plan` : 'An account without a plan';
    if (!entitlement.publishing.allowed) {
      throw new AppError(
        'publishing_not_in_plan',
        `${planName} does not include publishing chatbots. Ask for a plan that does.`,
      );
    }
    const max = entitlement.publishing.maxPublishedBots;
    if (max !== undefined && (await this.repository.countPublishedOthers(userId, chatbotId)) >= max) {
      throw new AppError(
        'published_bots_limit',
        `${planName} allows ${max} published chatbot${max === 1 ? '' : 's'}; turn another one off first.`,
        { details: { field: 'mode', max } },
      );
    }
  }
}

function toSettings(
  row: PublicationRow,
  entitlement: { limits: PlanLimits; publishing: PlanPublishing },
): PublicationSettings {
  return {
    chatbotId: row.chatbotId,
    mode: row.mode,
    slug: row.slug,
    greeting: row.greeting,
    suggestions: row.suggestions,
    appearance: { ...row.appearance, avatarUrl: avatarUrlOf(row.avatarFile) },
    allowedOrigins: row.allowedOrigins,
    limits: row.limits,
    inGallery: row.inGallery,
    planAllowsPublishing: entitlement.publishing.allowed,
    maxSpendCapUsd: entitlement.limits.monthlySpendBudgetUsd ?? null,
    sharePath: `/c/${row.slug}`,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The image type by its first bytes (a Content-Type header alone proves nothing). */
function imageTypeOf(data: Buffer): (typeof AVATAR_TYPES)[number] | null {
  if (
    data.length >= 8 &&
    data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  )
    return 'image/png';
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (
    data.length >= 12 &&
    data.toString('latin1', 0, 4) === 'RIFF' &&
    data.toString('latin1', 8, 12) === 'WEBP'
  )
    return 'image/webp';
  return null;
}
