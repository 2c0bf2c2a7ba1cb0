import fp from 'fastify-plugin';
import fastifyRateLimit, {
  normalizeIP,
  type FastifyRateLimitStore,
  type FastifyRateLimitStoreCtor,
} from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { AUTH_ROUTE, authTargetOf } from '../auth-path.js';
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
const PASSWORD_CHECK_PATHS = ['/api/auth/change-email', '/api/auth/change-password', '/api/auth/delete-user'];

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;
type Counted = Extract<Awaited<ReturnType<Limiter>>, { isAllowed: false }>;

/**
 * Request rates, counted by @fastify/rate-limit (its Redis store when `redis` is given, so two
 * instances share one count):
 * - routes with `config: LLM_RATE_LIMITED`: the plan's requestsPerMinute per user (per IP when
 *   anonymous), one counter across all those routes;
 * - better-auth's /api/auth/sign-up/email and /api/auth/sign-in/email: per IP (sign-up farming,
 *   password guessing), whatever the method, keyed on the path better-auth will route on (see
 *   http/auth-path.ts), so `/api/auth/./sign-in/email` and the like count as sign-ins.
 * Keys in Redis: `<keyPrefix>llm:user:<id>`, `<keyPrefix>llm:ip:<ip>`, `<keyPrefix>auth:sign-in:<ip>`,
 * `<keyPrefix>auth:sign-up:<ip>`.
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
      ...(options.redis ? { store: redisStore(options.redis, options.keyPrefix ?? 'rate:') } : {}),
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

    const signInRule = authRule(
      app,
      'sign-in',
      'sign-in attempts',
      options.signIn ?? { max: 10, timeWindowMs: 60_000 },
    );
    const authRules = new Map<string, AuthRule>([
      [
        SIGN_UP_PATH,
        authRule(app, 'sign-up', 'sign-ups', options.signUp ?? { max: 5, timeWindowMs: 3_600_000 }),
      ],
      [SIGN_IN_PATH, signInRule],
      // The account page's writes that check the current password count as sign-in attempts: a
      // stolen session cannot guess the password through them faster than through sign-in.
      ...PASSWORD_CHECK_PATHS.map((path): [string, AuthRule] => [path, signInRule]),
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
    // A callback hook: every request passes here, and only two better-auth paths need the (async)
    // count. Only requests routed to the better-auth catch-all can reach better-auth; their rule is
    // looked up by the path better-auth resolves (the route refuses a target that differs from it).
    app.addHook('onRequest', (request, reply, done) => {
      if (request.routeOptions.url !== AUTH_ROUTE) return done();
      const path = authTargetOf(request).path;
      const rule = path === null ? undefined : authRules.get(path);
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

const COUNT_SCRIPT = `
local current = redis.call('INCR', KEYS[1])
if current == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  return {current, tonumber(ARGV[1])}
end
return {current, redis.call('PTTL', KEYS[1])}
`;
const COUNT_COMMAND = 'appRateLimitCount';
type CountingRedis = Redis & {
  [COUNT_COMMAND](key: string, windowMs: number): Promise<[number, number]>;
};

/**
 * A fixed-window counter per key in Redis, named `<prefix><key>`. @fastify/rate-limit's own Redis
 * store names a limiter's keys after its route (`<nameSpace><method><url>-`), which a limiter made
 * with createRateLimit does not have: every key read `rate:undefinedundefined-…`. Our keys already
 * say which limit they count (`auth:sign-in:<ip>`, `llm:user:<id>`).
 */
function redisStore(redis: Redis, prefix: string): FastifyRateLimitStoreCtor {
  if (!(COUNT_COMMAND in redis)) redis.defineCommand(COUNT_COMMAND, { numberOfKeys: 1, lua: COUNT_SCRIPT });
  const client = redis as CountingRedis;
  return class RedisCounter implements FastifyRateLimitStore {
    incr(key: string, callback: Parameters<FastifyRateLimitStore['incr']>[1], timeWindow: number) {
      client[COUNT_COMMAND](prefix + key, timeWindow).then(
        ([current, ttl]) => callback(null, { current, ttl }),
        (error: Error) => callback(error),
      );
    }
    /** One store for every limiter: the key says which limit it is. */
    child() {
      return this;
    }
  };
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
