import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { PlanTable } from '../../../config/plans.js';
import type { CatalogReader } from '../../../models/catalog-model.js';
import { visibleModels } from '../../../models/eligibility.js';
import { requireUser } from '../../plugins/auth.js';
import { errorResponse } from '../error.schemas.js';
import { modelList } from './models.schemas.js';

export interface ModelsRoutesOptions {
  catalog: CatalogReader;
  /** The plan table in force (hot-reloaded), e.g. `() => planStore.current()`. */
  plans: () => PlanTable;
  subscriptions: { getActivePlan(userId: string): Promise<string | null> };
  /** LLM_SHOW_LOCKED_MODELS */
  showLockedModels: boolean;
  /** CHATBOT_MAX_TOKENS_CEILING: part of each entry's `maxTokensAllowed`. */
  maxTokensCeiling: number;
}

/** GET /api/llm/models — computed from memory; no upstream call per request. */
export const modelsRoutes: FastifyPluginAsyncZod<ModelsRoutesOptions> = async (app, options) => {
  const answers = new AnswerMemo(options);
  app.get(
    '/api/llm/models',
    {
      schema: {
        tags: ['models'],
        summary: "Models the caller's plan allows, plus locked ones a higher plan unlocks",
        description:
          'Allowed models first (in catalog order), then allowed models the proxy does not serve right now ' +
          '(`availability: "unserved"`, cannot be picked), then locked ones. Each entry says what a chatbot ' +
          'on it may set for this caller: `maxTokensAllowed` (the model limit and the server ceiling ' +
          'combined; more is refused), `maxTokensPlanClamp` (the plan answers with at most this many ' +
          'tokens), `supportsTemperature: false` (temperature kept but not sent) and `reasoningEfforts`.',
        response: {
          200: modelList,
          304: z.null().describe('Not modified (If-None-Match)'),
          401: errorResponse,
        },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const plans = options.plans();
      const activePlan = await options.subscriptions.getActivePlan(user.id);
      const answer = answers.get(plans, plans.hasPlan(activePlan) ? activePlan : null);
      reply.header('etag', answer.etag).header('cache-control', 'private, no-cache');
      if (matchesEtag(request.headers['if-none-match'], answer.etag)) return reply.code(304).send(null);
      // Already JSON, checked against the schema when it was built: a string with a JSON type is sent
      // as it is, not serialised again (the cast only tells the type provider so).
      return reply
        .type('application/json; charset=utf-8')
        .send(answer.body as unknown as z.infer<typeof modelList>);
    },
  );
};

interface Answer {
  etag: string;
  body: string;
}

/**
 * The answer is a pure function of the catalog version, the plan table version and the plan, so it
 * is built once per plan and reused until a version changes (a hot reload drops every entry).
 */
class AnswerMemo {
  private versions = '';
  private readonly byPlan = new Map<string, Answer>();

  constructor(private readonly options: ModelsRoutesOptions) {}

  get(plans: PlanTable, plan: string | null): Answer {
    const { catalog, showLockedModels, maxTokensCeiling } = this.options;
    const versions = `${catalog.version}|${plans.version}`;
    if (versions !== this.versions) {
      this.byPlan.clear();
      this.versions = versions;
    }
    let answer = this.byPlan.get(plan ?? '');
    if (!answer) {
      // Strong: the body is a pure function of these inputs, and content-hashed versions agree across instances.
      const etag = `"${createHash('sha256')
        .update(`${versions}|${plan ?? ''}|${showLockedModels}|${maxTokensCeiling}`)
        .digest('base64url')
        .slice(0, 27)}"`;
      const entries = visibleModels(catalog, plans, plan, {
        showLocked: showLockedModels,
        maxTokensCeiling,
      });
      const body = JSON.stringify(modelList.parse(entries));
      answer = { etag, body };
      this.byPlan.set(plan ?? '', answer);
    }
    return answer;
  }
}

/** RFC 9110 If-None-Match: a list of tags or `*`, compared weakly. */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag;
  });
}
