import fp from 'fastify-plugin';
import fastifyRateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { PlanLimits } from '../../config/plans.js';
import { AppError } from '../../errors.js';
import { StoreFailureHandler, type FailureMode } from '../../services/limits/failure-policy.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Counts the request against the caller's plan `requestsPerMinute` (routes that call the LLM). */
    llmRateLimit?: boolean;
  }
}

/** Route config for the LLM-consuming routes: `app.post(url, { config: LLM_RATE_LIMITED, … }, handler)`. */
export const LLM_RATE_LIMITED = { llmRateLimit: true } as const;

export interface AuthRateLimit {
  /** Requests allowed per IP address in the window. */
  max: number;
  timeWindowMs: number;
}

export interface RateLimitPluginOptions {
  /** The shared client (REDIS_URL): counts are then global across instances. null: per process. */
  redis: Redis | null;
  /** The caller's plan and its limits (the baseline for anonymous callers or no plan). */
  planLimitsFor(request: FastifyRequest): Promise<{ plan: string | null; limits: PlanLimits }>;
  /** Requests per minute when the plan sets none: the server's ceiling. Default 120. */
  fallbackRequestsPerMinute?: number;
  /** Per-IP limits on better-auth's sign-up and sign-in. Defaults: 5 sign-ups / hour, 10 sign-ins / minute. */
  signUp?: AuthRateLimit;
  signIn?: AuthRateLimit;
  /** What happens when Redis cannot be reached. Default open (requests pass, a warning is logged). */
  failureMode?: FailureMode;
  /** Prefix of the Redis keys. Default `rate:`. */
  keyPrefix?: string;
}

const SIGN_UP_PATH = '/api/auth/sign-up/email';
const SIGN_IN_PATH = '/api/auth/sign-in/email';

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;
type Counted = Extract<Awaited<ReturnType<Limiter>>, { isAllowed: false }>;

/**
 * Request rates, counted by @fastify/rate-limit (its Redis store when `redis` is given, so two
 * instances share one count):
 * - routes with `config: LLM_RATE_LIMITED`: the plan's requestsPerMinute per user (per IP when
 *   anonymous), one counter across all those routes;
 * - POST /api/auth/sign-up/email and /api/auth/sign-in/email: per IP (sign-up farming, password guessing).
 * Register it after the auth plugin (it needs `request.user`) and before the routes it marks.
 */
export const rateLimitPlugin = fp(
  async (app: FastifyInstance, options: RateLimitPluginOptions) => {
    const fallback = options.fallbackRequestsPerMinute ?? 120;
    const failures = new StoreFailureHandler(
      { budget: 'closed', concurrency: 'open', rate: options.failureMode ?? 'open' },
      app.log,
    );
    await app.register(fastifyRateLimit, {
      global: false,
      ...(options.redis ? { redis: options.redis } : {}),
      nameSpace: options.keyPrefix ?? 'rate:',
      skipOnError: false,
    });

    const plans = new WeakMap<FastifyRequest, Promise<{ plan: string | null; limits: PlanLimits }>>();
    const planOf = (request: FastifyRequest) => {
      let pending = plans.get(request);
      if (!pending) {
        pending = options.planLimitsFor(request);
        plans.set(request, pending);
      }
      return pending;
    };
    const llmLimiter = app.createRateLimit({
      timeWindow: 60_000,
      keyGenerator: (request) =>
        request.user ? `llm:user:${request.user.id}` : `llm:ip:${normalizeIP(request.ip)}`,
      max: async (request) => (await planOf(request)).limits.requestsPerMinute ?? fallback,
    });
    const checkLlmRate = async (request: FastifyRequest, reply: FastifyReply) => {
      const counted = await count(llmLimiter, request, failures);
      if (!counted) return;
      setRateHeaders(reply, counted);
      if (!counted.isExceeded) return;
      const { plan } = await planOf(request);
      const who = plan ? `the "${plan}" plan` : 'an account without a plan';
      throw tooMany(
        `Too many requests: ${who} allows ${counted.max} LLM requests per minute (requestsPerMinute). Try again in ${counted.ttlInSeconds} s.`,
        counted,
      );
    };
    app.addHook('onRoute', (route) => {
      if (!route.config?.llmRateLimit) return;
      // Route-level hooks run after the app-level ones, so the auth hook has set request.user.
      route.onRequest = [...toArray(route.onRequest), checkLlmRate];
    });

    const authRules = new Map<string, AuthRule>([
      [
        SIGN_UP_PATH,
        authRule(app, 'sign-up', 'sign-ups', options.signUp ?? { max: 5, timeWindowMs: 3_600_000 }),
      ],
      [
        SIGN_IN_PATH,
        authRule(app, 'sign-in', 'sign-in attempts', options.signIn ?? { max: 10, timeWindowMs: 60_000 }),
      ],
    ]);
    const checkAuthRate = async (request: FastifyRequest, reply: FastifyReply, rule: AuthRule) => {
      const counted = await count(rule.limiter, request, failures);
      if (!counted) return;
      setRateHeaders(reply, counted);
      if (counted.isExceeded) {
        throw tooMany(
          `Too many ${rule.what} from this address: at most ${counted.max} per ${rule.window}. Try again in ${counted.ttlInSeconds} s.`,
          counted,
        );
      }
    };
    // A callback hook: every request passes here, and only two routes need the (async) count.
    app.addHook('onRequest', (request, reply, done) => {
      const rule = request.method === 'POST' ? authRules.get(request.url.split('?')[0]!) : undefined;
      if (!rule) return done();
      checkAuthRate(request, reply, rule).then(() => done(), done);
    });
  },
  { name: 'rate-limit', dependencies: ['auth', 'error-handler'] },
);

interface AuthRule {
  limiter: Limiter;
  what: string;
  window: string;
}

function authRule(app: FastifyInstance, name: string, what: string, limit: AuthRateLimit): AuthRule {
  const limiter = app.createRateLimit({
    max: limit.max,
    timeWindow: limit.timeWindowMs,
    keyGenerator: (request) => `auth:${name}:${normalizeIP(request.ip)}`,
  });
  return { limiter, what, window: describeWindow(limit.timeWindowMs) };
}

/** Counts the request; null when the store failed and the policy is to let it through. */
async function count(
  limiter: Limiter,
  request: FastifyRequest,
  failures: StoreFailureHandler,
): Promise<Counted | null> {
  try {
    const result = await limiter(request);
    return result.isAllowed ? null : result;
  } catch (error) {
    failures.onCheckFailed('rate', error);
    return null;
  }
}

function setRateHeaders(reply: FastifyReply, counted: Counted) {
  reply.header('x-ratelimit-limit', counted.max);
  reply.header('x-ratelimit-remaining', counted.remaining);
  reply.header('x-ratelimit-reset', counted.ttlInSeconds);
}

function tooMany(message: string, counted: Counted): AppError {
  return new AppError('rate_limited', message, {
    retryAfterSeconds: Math.max(1, counted.ttlInSeconds),
    details: { limit: counted.max, retryAfterSeconds: Math.max(1, counted.ttlInSeconds) },
  });
}

function toArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function describeWindow(ms: number): string {
  if (ms === 60_000) return 'minute';
  if (ms === 3_600_000) return 'hour';
  return ms % 60_000 === 0 ? `${ms / 60_000} minutes` : `${Math.round(ms / 1000)} seconds`;
}
