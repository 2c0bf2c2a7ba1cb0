import type { PlanPublishing } from '../../config/plans.js';
import { notFound } from '../../errors.js';
import { ReadThroughCache } from '../cache/read-through-cache.js';
import type { PublicationRepository, PublishedBot } from './publication-repository.js';

/** A bot that is published right now, with its owner's plan. */
export interface LiveBot {
  row: PublishedBot;
  plan: string | null;
}

export interface PublishedBotsOptions {
  repository: PublicationRepository;
  /** The owner's plan now (the plan cache, dropped on every instance when a plan changes). */
  activePlanOf: (userId: string) => Promise<string | null>;
  /** The live plans table's publishing section (hot-reloaded: a file edit applies to the next request). */
  publishingFor: (plan: string | null) => PlanPublishing;
  /** Backstop of the publication cache when an invalidation is missed. Default 30 s. */
  cacheTtlMs?: number;
}

const GALLERY_SIZE = 60;

/**
 * Published bots by slug. The publication row is kept in memory (dropped here at once and on the
 * other instances over Redis when it changes); the owner's right to publish is checked on every
 * request against the plan table in force, so a bot whose owner's plan loses publishing goes dark
 * on the next request, on every instance.
 */
export class PublishedBots {
  readonly #cache: ReadThroughCache<PublishedBot | null>;

  constructor(private readonly options: PublishedBotsOptions) {
    this.#cache = new ReadThroughCache({ max: 10_000, ttlMs: options.cacheTtlMs ?? 30_000 });
  }

  /** The bot published at `slug`; 404 (never saying why) when off, unknown, or not in the owner's plan. */
  async resolve(slug: string): Promise<LiveBot> {
    const row = await this.#cache.get(slug, () => this.options.repository.bySlug(slug));
    if (!row || row.mode === 'off') throw notFound('Chatbot');
    const plan = await this.options.activePlanOf(row.userId);
    if (!this.options.publishingFor(plan).allowed) throw notFound('Chatbot');
    return { row, plan };
  }

  /** Gallery bots whose owner may publish now. */
  async gallery(): Promise<PublishedBot[]> {
    const rows = await this.options.repository.galleryCandidates(GALLERY_SIZE);
    const allowed = await Promise.all(
      rows.map(
        async (row) => this.options.publishingFor(await this.options.activePlanOf(row.userId)).allowed,
      ),
    );
    return rows.filter((_, index) => allowed[index]);
  }

  /**
   * A publication changed (here or on another instance): slugs may have moved, so every copy goes
   * (changes are rare; the next request of each bot reads its row once).
   */
  forget(): void {
    this.#cache.clear();
  }
}
