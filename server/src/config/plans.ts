import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import type { CatalogModel } from '../models/catalog-model.js';
import { formatPath, InvalidConfigError } from '../models/invalid-config-error.js';
import {
  type ApiKeysEntitlement,
  type PlanPublishing,
  type PlanUpgrade,
  PLAN_NAME_PATTERN,
  planModelsJsonSchema,
  plansFileSchema,
  RESERVED_PLAN_NAMES,
  type PlanLimits,
} from './plans-schema.js';

export type { PlanLimits, PlanPublishing, PlanUpgrade } from './plans-schema.js';

/** Without a plans file, everyone may publish (the laptop demo); a plans file says per plan. */
const PUBLISHING_WITHOUT_FILE: PlanPublishing = { allowed: true };
const NO_PUBLISHING: PlanPublishing = { allowed: false };

/** `"*"` in a plan's list: every model the catalog offers. */
export const ALL_MODELS = '*';

export interface PlanEntry {
  models: readonly string[];
  limits: PlanLimits;
  /** The plans file's `apiKeys` section (absent in a file: not allowed). */
  apiKeys?: ApiKeysEntitlement | undefined;
  /** The plans file's `publishing` section (issue 22); absent: see publishingFor. */
  publishing?: PlanPublishing | undefined;
}

/** Which plan may use which model, and (for the limits work) with which limits. Immutable. */
export interface PlanTable {
  /** Content hash: equal configuration, equal version (used in ETags across instances). */
  readonly version: string;
  readonly source: 'file' | 'env' | 'default';
  /** Plan names, cheapest first. These are the plans the admin CLI accepts. */
  readonly plans: readonly string[];
  readonly baseline: PlanEntry;
  readonly warnings: readonly string[];
  /** The plans file's `upgrade` section: where a user asks for a higher plan (empty: ask the admin). */
  readonly upgrade: PlanUpgrade;
  hasPlan(plan: string | null | undefined): boolean;
  /** 0 for the cheapest plan; -1 for no plan or an unknown plan (treated as no plan). */
  rankOf(plan: string | null | undefined): number;
  /** Allowed aliases (may contain "*"); the baseline for no plan or an unknown plan. */
  modelsFor(plan: string | null | undefined): readonly string[];
  limitsFor(plan: string | null | undefined): PlanLimits;
  /** API keys (/v1/*): allowed, and how many (no plans file: allowed, no maximum). */
  apiKeysFor(plan: string | null | undefined): ApiKeysEntitlement;
  /** Publishing to visitors: allowed, how many bots, the default visitor limits. */
  publishingFor(plan: string | null | undefined): PlanPublishing;
}

export interface PlansConfigInput {
  /** LLM_PLAN_MODELS_FILE content, when set. Takes precedence over the env values. */
  file?: { text: string; source: string };
  /** LLM_PLAN_MODELS_JSON, raw. */
  plansJson?: string;
  /**
   * LLM_BASELINE_MODELS: the raw comma list (an empty string is an error: no model for users without a
   * plan), or the already split list (empty = unset). Unset: the cheapest plan's models.
   */
  baselineModels?: string | readonly string[];
  /** LLM_MODEL_CHAT: the default table gives it to everyone. */
  chatModel: string;
}

/**
 * The plan table from whichever form is configured: the plans file, else LLM_PLAN_MODELS_JSON, else
 * the default (basic = the default chat model; pro and enterprise = every offered model).
 * Throws InvalidConfigError naming the source and every problem.
 */
export function parsePlansConfig(input: PlansConfigInput): PlanTable {
  const warnings: string[] = [];
  const envBaseline = parseBaselineList(input.baselineModels);
  if (input.file) {
    if (input.plansJson) warnings.push('LLM_PLAN_MODELS_JSON is ignored: LLM_PLAN_MODELS_FILE is set');
    return parsePlansYaml(input.file.text, input.file.source, { warnings, baselineModels: envBaseline });
  }
  let plans: [string, PlanEntry][];
  let source: PlanTable['source'];
  if (input.plansJson !== undefined && input.plansJson.trim() !== '') {
    const value = parseJson(input.plansJson, 'LLM_PLAN_MODELS_JSON');
    const parsed = validate(planModelsJsonSchema, value, 'LLM_PLAN_MODELS_JSON');
    plans = Object.entries(parsed).map(([name, models]) => [name, { models, limits: {} }]);
    source = 'env';
  } else {
    plans = [
      ['basic', { models: [input.chatModel], limits: {} }],
      ['pro', { models: [ALL_MODELS], limits: {} }],
      ['enterprise', { models: [ALL_MODELS], limits: {} }],
    ];
    source = 'default';
  }
  return buildPlanTable(source, 'LLM_PLAN_MODELS_JSON', plans, { models: envBaseline }, warnings);
}

/**
 * The plans file form (config/plans.yaml.example). The file's `baseline.models` wins over
 * LLM_BASELINE_MODELS (`options.baselineModels`), which applies when the file has none.
 */
export function parsePlansYaml(
  text: string,
  source: string,
  options: { warnings?: string[]; baselineModels?: readonly string[] | undefined } = {},
): PlanTable {
  const warnings = options.warnings ?? [];
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    throw new InvalidConfigError(
      source,
      document.errors.map((error) => `invalid YAML: ${error.message.split('\n')[0]}`),
    );
  }
  const parsed = validate(plansFileSchema, document.toJS(), source);
  const plans = Object.entries(parsed.plans).map(([name, plan]): [string, PlanEntry] => [
    name,
    {
      models: plan.models,
      limits: plan.limits ?? {},
      apiKeys: plan.apiKeys,
      publishing: plan.publishing,
    },
  ]);
  const fileBaseline = parsed.baseline?.models;
  if (fileBaseline && options.baselineModels) {
    warnings.push(`LLM_BASELINE_MODELS is ignored: ${source} has a baseline`);
  }
  const baseline = {
    models: fileBaseline ?? options.baselineModels,
    limits: parsed.baseline?.limits,
    apiKeys: parsed.baseline?.apiKeys,
    publishing: parsed.baseline?.publishing,
  };
  return buildPlanTable('file', source, plans, baseline, warnings, parsed.upgrade ?? {});
}

export interface LoadPlansOptions extends Omit<PlansConfigInput, 'file'> {
  /** LLM_PLAN_MODELS_FILE; must exist when given. */
  filePath?: string;
}

/** Reads the plans file (when configured) and parses everything. */
export async function loadPlans(options: LoadPlansOptions): Promise<PlanTable> {
  const { filePath, ...rest } = options;
  if (!filePath) return parsePlansConfig(rest);
  let text: string;
  try {
    text = await readFile(filePath, 'utf8');
  } catch (error) {
    throw new InvalidConfigError(`LLM_PLAN_MODELS_FILE=${filePath}`, [
      `cannot be read (${(error as Error).message})`,
    ]);
  }
  return parsePlansConfig({ ...rest, file: { text, source: filePath } });
}

/** Aliases the plans name that the catalog does not offer: never offered, but worth a log line. */
export function planModelWarnings(table: PlanTable, catalog: readonly CatalogModel[]): string[] {
  const byId = new Map(catalog.map((model) => [model.id, model]));
  const warnings: string[] = [];
  const sections: [string, readonly string[]][] = [
    ...table.plans.map((plan): [string, readonly string[]] => [`plan "${plan}"`, table.modelsFor(plan)]),
    ['the baseline', table.baseline.models],
  ];
  for (const [where, models] of sections) {
    for (const id of models) {
      if (id === ALL_MODELS) continue;
      const model = byId.get(id);
      if (!model) warnings.push(`${where} lists "${id}", which the model catalog lacks; it is not offered`);
      else if (model.hidden) warnings.push(`${where} lists "${id}", which is hidden; it is not offered`);
    }
  }
  return warnings;
}

function parseBaselineList(raw: string | readonly string[] | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') return raw.length === 0 ? undefined : [...raw];
  const models = raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (models.length === 0) {
    throw new InvalidConfigError('LLM_BASELINE_MODELS', [
      "is empty: users without a plan could use no model (list aliases, comma-separated, or unset it to use the cheapest plan's models)",
    ]);
  }
  return models;
}

function buildPlanTable(
  source: PlanTable['source'],
  where: string,
  plans: [string, PlanEntry][],
  baselineInput: {
    models?: readonly string[] | undefined;
    limits?: PlanLimits | undefined;
    apiKeys?: ApiKeysEntitlement | undefined;
    publishing?: PlanPublishing | undefined;
  },
  warnings: string[],
  upgrade: PlanUpgrade = {},
): PlanTable {
  const problems: string[] = [];
  if (plans.length === 0) problems.push('no plans: define at least one plan');
  for (const [name] of plans) {
    if (!PLAN_NAME_PATTERN.test(name)) {
      problems.push(
        `plan "${name}": a plan name is lower-case letters, digits, "-" or "_", starting with a letter`,
      );
    } else if (RESERVED_PLAN_NAMES.has(name)) {
      problems.push(`plan "${name}": the name is reserved`);
    }
  }
  if (problems.length > 0) throw new InvalidConfigError(where, problems);
  const byName = new Map(
    plans.map(([name, plan]) => [
      name,
      {
        models: dedupe(plan.models),
        limits: plan.limits,
        apiKeys: plan.apiKeys,
        publishing: plan.publishing,
      },
    ]),
  );
  const cheapest = byName.get(plans[0]![0])!;
  const baseline: PlanEntry = {
    models: baselineInput.models ? dedupe(baselineInput.models) : cheapest.models,
    limits: baselineInput.limits ?? cheapest.limits,
    apiKeys: baselineInput.apiKeys ?? cheapest.apiKeys,
    publishing: baselineInput.publishing ?? cheapest.publishing,
  };
  const names = plans.map(([name]) => name);
  const version = createHash('sha256')
    .update(JSON.stringify({ plans: [...byName.entries()], baseline, upgrade }))
    .digest('hex')
    .slice(0, 16);
  const entryFor = (plan: string | null | undefined) => (plan ? byName.get(plan) : undefined) ?? baseline;
  return Object.freeze({
    version,
    source,
    plans: Object.freeze(names),
    baseline,
    warnings: Object.freeze([...warnings]),
    upgrade: Object.freeze({ ...upgrade }),
    hasPlan: (plan: string | null | undefined) => !!plan && byName.has(plan),
    rankOf: (plan: string | null | undefined) => (plan ? names.indexOf(plan) : -1),
    modelsFor: (plan: string | null | undefined) => entryFor(plan).models,
    limitsFor: (plan: string | null | undefined) => entryFor(plan).limits,
    // Like publishing: a plans file that says nothing allows none; without a file everyone may.
    apiKeysFor: (plan: string | null | undefined) => entryFor(plan).apiKeys ?? { allowed: source !== 'file' },
    publishingFor: (plan: string | null | undefined) =>
      entryFor(plan).publishing ?? (source === 'file' ? NO_PUBLISHING : PUBLISHING_WITHOUT_FILE),
  });
}

function dedupe(models: readonly string[]): readonly string[] {
  return Object.freeze([...new Set(models)]);
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidConfigError(source, [`not valid JSON (${(error as Error).message})`]);
  }
}

function validate<T>(schema: z.ZodType<T>, value: unknown, source: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new InvalidConfigError(
    source,
    parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`),
  );
}
