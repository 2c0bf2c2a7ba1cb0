import { createHash } from 'node:crypto';
import { applyDiscovery } from './apply-discovery.js';
import type { CatalogLogger } from './catalog-logger.js';
import type { CatalogModel, CatalogReader, CatalogSource } from './catalog-model.js';
import { loadCatalogSource, type CatalogSourceOptions, type LoadedCatalog } from './catalog-sources.js';
import { watchFile, type FileWatch } from './file-watcher.js';
import { fetchLiveModels, type DiscoveryOptions, type LiveModels } from './model-discovery.js';

export interface ModelCatalogOptions extends CatalogSourceOptions {
  /** Live cross-check against the proxy; used in proxy mode only. */
  discovery?: DiscoveryOptions & { ttlMs?: number };
  /** Hot reload of the LiteLLM file (default true). */
  watch?: boolean;
  debounceMs?: number;
  logger: CatalogLogger;
}

export interface CatalogStatus {
  source: CatalogSource;
  /** Models offered to users (hidden ones not counted). */
  models: number;
  discovery: 'off' | 'model_group_info' | 'models' | 'unreachable';
  /** Last successful discovery, ISO 8601. */
  lastRefreshAt: string | null;
  /** Discovery is on but its data is missing or old: the list may offer what the proxy lacks. */
  stale: boolean;
  /** Configured aliases the proxy does not serve (not offered). */
  unserved: string[];
  error?: string;
  warnings: string[];
}

const DEFAULT_TTL_MS = 60_000;

/**
 * The current model catalog, held in memory and swapped whole: the configured source (hot-reloaded),
 * filtered and enriched by what the proxy serves (refreshed in the background, never per request).
 * A broken edit or a proxy that is down keeps the last good state.
 */
export class ModelCatalog implements CatalogReader {
  #config: LoadedCatalog | null = null;
  #live: LiveModels | null = null;
  #models: readonly CatalogModel[] = [];
  #byId = new Map<string, CatalogModel>();
  #unserved: string[] = [];
  #unservedModels: readonly CatalogModel[] = [];
  #version = '';
  #lastRefreshAt: number | null = null;
  #discoveryError: string | undefined;
  #reloadError: string | undefined;
  #listeners = new Set<() => void>();
  #watch: FileWatch | null = null;
  #timer: NodeJS.Timeout | undefined;
  #refreshing: Promise<void> | null = null;
  #reloading: Promise<void> = Promise.resolve();
  #closed = new AbortController();

  constructor(private readonly options: ModelCatalogOptions) {}

  /** Loads the source (throws InvalidConfigError when it is broken), then starts watching and discovery. */
  async start(): Promise<void> {
    this.#config = await loadCatalogSource(this.options);
    for (const warning of this.#config.warnings) this.options.logger.warn(`model catalog: ${warning}`);
    this.#rebuild();
    const path = this.options.liteLlmConfigPath;
    if (this.options.watch !== false && path && this.options.mode === 'proxy') {
      this.#watch = watchFile(path, {
        debounceMs: this.options.debounceMs ?? 200,
        onChange: () => void this.reload(),
        onError: (error) => this.options.logger.warn(`model catalog: cannot watch ${path}: ${error.message}`),
      });
    }
    if (this.#discoveryEnabled) {
      await this.refresh();
      const ttl = this.options.discovery?.ttlMs ?? DEFAULT_TTL_MS;
      this.#timer = setInterval(() => void this.refresh(), ttl);
      this.#timer.unref();
    }
  }

  async close(): Promise<void> {
    this.#closed.abort();
    this.#watch?.close();
    this.#watch = null;
    clearInterval(this.#timer);
    await this.#refreshing;
    await this.#reloading;
  }

  list(): readonly CatalogModel[] {
    return this.#models;
  }

  get(id: string): CatalogModel | undefined {
    return this.#byId.get(id);
  }

  isUnserved(id: string): boolean {
    return this.#unserved.includes(id);
  }

  unservedModels(): readonly CatalogModel[] {
    return this.#unservedModels;
  }

  /**
   * The alias of a LiteLLM deployment (`/model/info`: `model_info.id` → `model_name`) as of the last
   * discovery that answered; undefined when unknown (discovery off, not LiteLLM, a new deployment).
   */
  aliasOfDeployment(deploymentId: string): string | undefined {
    return this.#live?.deployments.get(deploymentId);
  }

  get version(): string {
    return this.#version;
  }

  /** Called after every change of `list()`. Returns an unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  status(): CatalogStatus {
    const ttl = this.options.discovery?.ttlMs ?? DEFAULT_TTL_MS;
    const enabled = this.#discoveryEnabled;
    const old = this.#lastRefreshAt === null || Date.now() - this.#lastRefreshAt > 2 * ttl;
    const error = this.#reloadError ?? this.#discoveryError;
    return {
      source: this.#config?.source ?? 'chat-model',
      models: this.#models.filter((model) => !model.hidden).length,
      discovery: !enabled ? 'off' : this.#discoveryError || !this.#live ? 'unreachable' : this.#live.endpoint,
      lastRefreshAt: this.#lastRefreshAt === null ? null : new Date(this.#lastRefreshAt).toISOString(),
      stale: enabled && (old || this.#discoveryError !== undefined),
      unserved: [...this.#unserved],
      ...(error ? { error } : {}),
      warnings: [...(this.#config?.warnings ?? [])],
    };
  }

  /** Re-reads the configured source now (the watcher calls this). A broken source keeps the last good one. */
  reload(): Promise<void> {
    this.#reloading = this.#reloading.then(() => this.#reloadOnce());
    return this.#reloading;
  }

  /** Asks the proxy now. Failures are recorded in `status()`, never thrown. */
  refresh(): Promise<void> {
    if (!this.#discoveryEnabled) return Promise.resolve();
    this.#refreshing ??= this.#refreshOnce().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  get #discoveryEnabled(): boolean {
    return this.options.mode === 'proxy' && this.options.discovery !== undefined;
  }

  async #reloadOnce(): Promise<void> {
    const previous = this.#config;
    try {
      const next = await loadCatalogSource(this.options);
      if (previous?.source === 'litellm-file' && next.source !== 'litellm-file') {
        throw new Error(`${this.options.liteLlmConfigPath}: the file is gone`);
      }
      this.#config = next;
      this.#reloadError = undefined;
      for (const warning of next.warnings) this.options.logger.warn(`model catalog: ${warning}`);
      this.#rebuild();
    } catch (error) {
      this.#reloadError = `reload rejected: ${(error as Error).message}`;
      this.options.logger.error(`model catalog: ${this.#reloadError}; keeping the last good catalog`);
    }
  }

  async #refreshOnce(): Promise<void> {
    const discovery = this.options.discovery as DiscoveryOptions;
    try {
      const live = await fetchLiveModels(discovery, this.#closed.signal);
      if (this.#closed.signal.aborted) return;
      this.#live = live;
      this.#lastRefreshAt = Date.now();
      if (this.#discoveryError) this.options.logger.info('model catalog: the proxy answers again');
      this.#discoveryError = undefined;
      this.#rebuild();
    } catch (error) {
      if (this.#closed.signal.aborted) return;
      const message = (error as Error).message;
      if (message !== this.#discoveryError) {
        this.options.logger.warn(
          `model catalog: model discovery failed, serving the last known catalog: ${message}`,
        );
      }
      const first = this.#discoveryError === undefined;
      this.#discoveryError = message;
      // The models the last answer marked served are no longer known to be: say so in the list.
      if (first) this.#rebuild();
    }
  }

  #rebuild(): void {
    if (!this.#config) return;
    const { models, unserved, unservedModels } = applyDiscovery(this.#config.models, this.#live, {
      stale: this.#discoveryError !== undefined,
    });
    const version = createHash('sha256')
      .update(JSON.stringify([models, unservedModels]))
      .digest('hex')
      .slice(0, 16);
    if (unserved.join() !== this.#unserved.join() && unserved.length > 0) {
      this.options.logger.warn(`model catalog: the proxy does not serve ${unserved.join(', ')}; not offered`);
    }
    this.#unserved = unserved;
    this.#unservedModels = Object.freeze(unservedModels.map((model) => Object.freeze(model)));
    if (version === this.#version) return;
    this.#models = Object.freeze(models.map((model) => Object.freeze(model)));
    this.#byId = new Map(models.map((model) => [model.id, model]));
    const firstLoad = this.#version === '';
    this.#version = version;
    this.options.logger.info(
      `model catalog ${firstLoad ? 'loaded' : 'changed'}: ${models.filter((model) => !model.hidden).length} offered models from ${this.#config.source}`,
    );
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch (error) {
        this.options.logger.error(`model catalog: a change listener failed: ${(error as Error).message}`);
      }
    }
  }
}

/** A fixed catalog for tests and tools that need no reload or discovery. */
export function createStaticCatalog(models: readonly CatalogModel[]): CatalogReader {
  const byId = new Map(models.map((model) => [model.id, model]));
  const version = createHash('sha256').update(JSON.stringify(models)).digest('hex').slice(0, 16);
  return { list: () => models, get: (id) => byId.get(id), version };
}
