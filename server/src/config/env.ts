import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Every environment variable the server reads, validated once. `.env.example` names the same set
 * (a test checks it). Only `server/src/config/` reads `process.env`.
 */

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], {
      error: 'expected true or false',
    })
    .optional()
    .transform((value) => (value === undefined ? fallback : ['true', '1', 'yes', 'on'].includes(value)));

const optionalBool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { error: 'expected true or false' })
  .optional()
  .transform((value) => (value === undefined ? null : ['true', '1', 'yes', 'on'].includes(value)));

const int = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value.trim() === '') return fallback;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
        context.addIssue({ code: 'custom', message: `expected an integer from ${min} to ${max}` });
        return z.NEVER;
      }
      return parsed;
    });

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value && value.trim() !== '' ? value.trim() : null));

const url = (protocols: string[], what: string) =>
  optionalText.refine(
    (value) => {
      if (value === null) return true;
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `expected ${what}` },
  );

const commaList = optionalText.transform((value) =>
  value === null
    ? []
    : value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
);

/** TRUST_PROXY: which hops in front of the app are proxies whose X-Forwarded-For may be believed. */
export type TrustProxy = false | number | string[];

const TRUST_PROXY_EXPECTED =
  'expected false, the number of proxies in front of the app (1 behind the shipped nginx), or a comma-separated list of their addresses or CIDRs (e.g. 10.0.0.0/8,loopback)';
/** Names @fastify/proxy-addr expands into ranges. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyAddress(item: string): boolean {
  if (NAMED_RANGES.has(item) || isIP(item) !== 0) return true;
  const slash = item.indexOf('/');
  if (slash === -1) return false;
  const address = item.slice(0, slash);
  const range = item.slice(slash + 1);
  const family = isIP(address);
  if (family === 0) return false;
  if (/^\d{1,3}$/.test(range)) return Number(range) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(range) === 4; // a netmask: 10.0.0.0/255.0.0.0
}

const trustProxy = optionalText.transform((value, context): TrustProxy => {
  if (value === null || ['false', '0', 'no', 'off'].includes(value.toLowerCase())) return false;
  if (['true', 'yes', 'on'].includes(value.toLowerCase())) {
    context.addIssue({
      code: 'custom',
      message: `${TRUST_PROXY_EXPECTED}; "true" would believe the left-most X-Forwarded-For entry, which the client writes itself`,
    });
    return z.NEVER;
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 32) {
      context.addIssue({ code: 'custom', message: `${TRUST_PROXY_EXPECTED}; a hop count is at most 32` });
      return z.NEVER;
    }
    return hops;
  }
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  const bad = items.length === 0 ? [value] : items.filter((item) => !isProxyAddress(item));
  if (bad.length > 0) {
    context.addIssue({
      code: 'custom',
      message: `${TRUST_PROXY_EXPECTED}; not an address or CIDR: ${bad.map((item) => JSON.stringify(item)).join(', ')}`,
    });
    return z.NEVER;
  }
  return items;
});

const failurePolicy = (fallback: 'open' | 'closed') =>
  z.enum(['open', 'closed'], { error: 'expected open or closed' }).default(fallback);

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(3000, 0, 65535),
  // Loopback unless told: a laptop demo is not open to the network (the Docker image sets 0.0.0.0).
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: url(['postgres:', 'postgresql:'], 'a postgres:// or postgresql:// URL'),
  DATABASE_POOL_MAX: int(10, 1, 1000),
  REDIS_URL: url(['redis:', 'rediss:'], 'a redis:// or rediss:// URL'),
  BETTER_AUTH_SECRET: optionalText,
  APP_URL: url(['http:', 'https:'], 'an http(s) URL such as https://chat.example.com'),
  TRUSTED_ORIGINS: commaList,
  TRUST_PROXY: trustProxy,
  OPENAPI_UI: optionalBool,
  SHUTDOWN_GRACE_MS: int(10_000, 0, 600_000),
  LLM_BASE_URL: url(['http:', 'https:'], 'an http(s) URL such as http://litellm:4000'),
  LLM_API_KEY: optionalText,
  OPENAI_API_KEY: optionalText,
  LLM_MODEL_CHAT: z.string().trim().min(1).default('chat-default'),
  LLM_MODEL_PROMPT_GEN: z.string().trim().min(1).default('prompt-helper'),
  LLM_TIMEOUT_MS: int(60_000, 100, 3_600_000),
  LLM_KEEPALIVE_MS: int(4_000, 1_000, 600_000),
  LLM_MAX_RETRIES: int(-1, 0, 10).transform((value) => (value < 0 ? null : value)),
  LLM_STREAM_USAGE: z
    .enum(['auto', 'required', 'optional'], { error: 'expected auto, required or optional' })
    .default('auto'),
  LITELLM_CONFIG_PATH: z.string().min(1).default('litellm/config.yaml'),
  LLM_MODELS_JSON: optionalText,
  LLM_PLAN_MODELS_JSON: optionalText,
  LLM_PLAN_MODELS_FILE: optionalText,
  LLM_BASELINE_MODELS: optionalText,
  LLM_SHOW_LOCKED_MODELS: bool(true),
  LLM_DISCOVERY: bool(true),
  LLM_DISCOVERY_TTL_MS: int(60_000, 1_000, 86_400_000),
  CHATBOT_DEFAULT_MAX_TOKENS: int(1024, 1, 1_000_000),
  CHATBOT_MAX_TOKENS_CEILING: int(8192, 1, 1_000_000),
  CHAT_HISTORY_MAX_CHARS: int(48_000, 1_000, 10_000_000),
  CHAT_MAX_TURN_MS: int(600_000, 1_000, 86_400_000),
  CHAT_MAX_ANSWER_CHARS: int(1_000_000, 1_000, 100_000_000),
  LIMITS_ON_REDIS_FAILURE_BUDGET: failurePolicy('closed'),
  LIMITS_ON_REDIS_FAILURE_CONCURRENCY: failurePolicy('open'),
  LIMITS_ON_REDIS_FAILURE_RATE: failurePolicy('open'),
  REDIS_COMMAND_TIMEOUT_MS: int(1_000, 50, 60_000),
  RATE_LIMIT_DEFAULT_PER_MINUTE: int(120, 1, 1_000_000),
  RATE_LIMIT_SIGN_UPS_PER_HOUR: int(5, 1, 1_000_000),
  RATE_LIMIT_SIGN_INS_PER_MINUTE: int(10, 1, 1_000_000),
  SIGNUP: z
    .enum(['open', 'invite', 'closed'], {
      error: 'expected open (anyone may sign up), invite (an invite link is needed) or closed',
    })
    .default('open'),
});

export type Env = z.infer<typeof envSchema>;

export const envVarNames: string[] = Object.keys(envSchema.shape);
