import type { CatalogLogger } from '../models/catalog-logger.js';
import type { CatalogReader } from '../models/catalog-model.js';
import { watchFile, type FileWatch } from '../models/file-watcher.js';
import { loadPlans, planModelWarnings, type LoadPlansOptions, type PlanTable } from './plans.js';

export interface PlanStoreOptions extends LoadPlansOptions {
  logger: CatalogLogger;
  /** Re-checks the plans' aliases whenever the catalog changes. */
  catalog?: CatalogReader & { onChange?(listener: () => void): () => void };
  /** Hot reload of the plans file (default true). */
  watch?: boolean;
  debounceMs?: number;
}

/**
 * The current plan table. The plans file is hot-reloaded like the LiteLLM file: a broken edit is
 * rejected with a log line and the last good table stays.
 */
export class PlanStore {
  #table: PlanTable | null = null;
  #watch: FileWatch | null = null;
  #unsubscribe: (() => void) | undefined;
  #reloading: Promise<void> = Promise.resolve();
  #lastWarnings = '';
  #loadedAt: Date | null = null;
  #lastError: { message: string; at: Date } | null = null;

  constructor(private readonly options: PlanStoreOptions) {}

  /** Loads the table (throws InvalidConfigError when the configuration is broken), then watches. */
  async start(): Promise<void> {
    this.#table = await loadPlans(this.options);
    this.#loadedAt = new Date();
    this.#logWarnings();
    const path = this.options.filePath;
    if (path && this.options.watch !== false) {
      this.#watch = watchFile(path, {
        debounceMs: this.options.debounceMs ?? 200,
        onChange: () => void this.reload(),
        onError: (error) => this.options.logger.warn(`plans: cannot watch ${path}: ${error.message}`),
      });
    }
    this.#unsubscribe = this.options.catalog?.onChange?.(() => this.#logWarnings());
  }

  async close(): Promise<void> {
    this.#watch?.close();
    this.#watch = null;
    this.#unsubscribe?.();
    await this.#reloading;
  }

  /** The table in force. Throws before `start()`. */
  current(): PlanTable {
    if (!this.#table) throw new Error('PlanStore.current() called before start()');
    return this.#table;
  }

  /**
   * For the admin console: when the table in force was loaded, where from, and the last rejected
   * reload (null once a later one succeeded).
   */
  status(): {
    loadedAt: string | null;
    filePath: string | null;
    lastError: { message: string; at: string } | null;
  } {
    return {
      loadedAt: this.#loadedAt?.toISOString() ?? null,
      filePath: this.options.filePath ?? null,
      lastError: this.#lastError && {
        message: this.#lastError.message,
        at: this.#lastError.at.toISOString(),
      },
    };
  }

  /** Re-reads the configuration now (the watcher calls this). */
  reload(): Promise<void> {
    this.#reloading = this.#reloading.then(async () => {
      try {
        const next = await loadPlans(this.options);
        this.#lastError = null;
        if (next.version !== this.#table?.version) {
          this.#loadedAt = new Date();
          this.#table = next;
          this.options.logger.info(`plans reloaded: ${next.plans.join(', ')}`);
          this.#logWarnings();
        }
      } catch (error) {
        this.#lastError = { message: (error as Error).message, at: new Date() };
        this.options.logger.error(
          `plans: reload rejected, keeping the last good plans: ${(error as Error).message}`,
        );
      }
    });
    return this.#reloading;
  }

  /** Only logs when the set of warnings changed, so a catalog refresh does not repeat them. */
  #logWarnings(): void {
    const table = this.#table;
    if (!table) return;
    const warnings = [
      ...table.warnings,
      ...(this.options.catalog ? planModelWarnings(table, this.options.catalog.list()) : []),
    ];
    const key = warnings.join('\n');
    if (key === this.#lastWarnings) return;
    this.#lastWarnings = key;
    for (const warning of warnings) this.options.logger.warn(`plans: ${warning}`);
  }
}
