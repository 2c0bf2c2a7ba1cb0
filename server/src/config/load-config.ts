import path from 'node:path';
import { ConfigError } from './config-error.js';
import { envSchema, type Env, type TrustProxy } from './env.js';
import { redactSecrets, registerSecrets, splitUrlCredentials, urlSecrets } from '../logging/redact.js';

export type LlmMode = 'proxy' | 'direct' | 'demo';

export interface Config {
  nodeEnv: Env['NODE_ENV'];
  isProduction: boolean;
  server: {
    port: number;
    host: string;
    appUrl: string;
    /** TRUST_PROXY: false, a hop count, or proxy addresses/CIDRs (http/trust-proxy.ts). */
    trustProxy: TrustProxy;
    trustedOrigins: string[];
    logLevel: Env['LOG_LEVEL'];
    shutdownGraceMs: number;
    openApiUi: boolean;
  };
  dataDir: string;
  /** SIGNUP: who may create an account (the instance's first account always may). */
  signup: Env['SIGNUP'];
  database: { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string; poolMax: number };
  redisUrl: string | null;
  auth: { secret: string | null };
  llm: {
    mode: LlmMode;
    baseUrl: string | null;
    apiKey: string | null;
    modelChat: string;
    modelPromptGen: string;
    timeoutMs: number;
    keepAliveMs: number;
    maxRetries: number | null;
    /** Whether a stream must end with the usage chunk the app asks for (else `unexpected_end`). */
    streamUsage: 'auto' | 'required' | 'optional';
  };
  models: {
    litellmConfigPath: string;
    modelsJson: string | null;
    planModelsJson: string | null;
    planModelsFile: string | null;
    /** Raw comma list; the plan table parses and validates it. */
    baselineModels: string | null;
    showLocked: boolean;
    discovery: boolean;
    discoveryTtlMs: number;
  };
  chatbots: { defaultMaxTokens: number; maxTokensCeiling: number };
  chat: {
    historyMaxChars: number;
    /** Hard bound of one answer: an endless upstream ends `error`/`timeout` after this long. */
    maxTurnMs: number;
    /** Hard bound of one answer's size in characters. */
    maxAnswerChars: number;
  };
  limits: {
    /** What to do when Redis cannot be asked: refuse (closed) or let the request through (open). */
    failurePolicy: { budget: 'open' | 'closed'; concurrency: 'open' | 'closed'; rate: 'open' | 'closed' };
    redisCommandTimeoutMs: number;
    requestsPerMinuteDefault: number;
    signUpsPerHour: number;
    signInsPerMinute: number;
  };
}

const PLACEHOLDER =
  /^(change[-_ ]?me|changeme|secret|placeholder|your[-_].*|xxx+|todo|example.*|sk-\.\.\.)$/i;

/** Parses and validates the environment. Throws ConfigError naming every bad variable. */
export function loadConfig(environment: Record<string, string | undefined>): Config {
  // `NAME=` (dotenv, compose) means "not set", never "set to nothing".
  const given = Object.fromEntries(
    Object.entries(environment).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = envSchema.safeParse(given);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? 'environment');
        const value = environment[name];
        const shown = value === undefined ? 'is missing' : `=${JSON.stringify(redact(name, value))}`;
        return `Invalid environment variable ${name}${value === undefined ? ' ' : ''}${shown}: ${issue.message}`;
      }),
    );
  }
  const env = parsed.data;
  const config = toConfig(env, baseDirOf(environment));
  // From here on, these values are blanked in every log line and shown error (logging/redact.ts).
  registerSecrets([
    config.llm.apiKey,
    config.auth.secret,
    ...urlSecrets(env.LLM_BASE_URL),
    ...urlSecrets(env.DATABASE_URL),
    ...urlSecrets(env.REDIS_URL),
  ]);
  const problems = config.isProduction ? productionProblems(config) : [];
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * Relative paths (DATA_DIR, LITELLM_CONFIG_PATH, …) are relative to where the command was typed:
 * npm runs a workspace's script in its own folder but says where it was started in INIT_CWD, so
 * `npm start` at the repo root keeps its data in `./data` there, not in `server/data`.
 */
function baseDirOf(environment: Record<string, string | undefined>): string {
  const initCwd = environment.INIT_CWD;
  return initCwd && path.isAbsolute(initCwd) ? initCwd : process.cwd();
}

function toConfig(env: Env, baseDir: string): Config {
  const isProduction = env.NODE_ENV === 'production';
  // Credentials in LLM_BASE_URL never travel with the URL (which is shown and logged); its password
  // is the key when no key variable is set.
  const llmUrl = env.LLM_BASE_URL ? splitUrlCredentials(env.LLM_BASE_URL) : null;
  const apiKey = env.LLM_API_KEY ?? env.OPENAI_API_KEY ?? llmUrl?.password ?? null;
  const appUrl = (env.APP_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
  const dataDir = path.resolve(baseDir, env.DATA_DIR);
  return {
    nodeEnv: env.NODE_ENV,
    isProduction,
    server: {
      port: env.PORT,
      host: env.HOST,
      appUrl,
      trustProxy: env.TRUST_PROXY,
      trustedOrigins: [
        ...new Set([
          new URL(appUrl).origin,
          // Without APP_URL the laptop may be reached by either loopback name, or through
          // `npm run dev`'s Vite server (which forwards its own Origin).
          ...(env.APP_URL ? [] : [`http://127.0.0.1:${env.PORT}`]),
          ...(env.APP_URL || isProduction ? [] : ['http://localhost:5173']),
          ...env.TRUSTED_ORIGINS,
        ]),
      ],
      logLevel: env.LOG_LEVEL,
      shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
      openApiUi: env.OPENAPI_UI ?? !isProduction,
    },
    dataDir,
    signup: env.SIGNUP,
    database: env.DATABASE_URL
      ? { kind: 'postgres', url: env.DATABASE_URL, poolMax: env.DATABASE_POOL_MAX }
      : { kind: 'pglite', dataDir },
    redisUrl: env.REDIS_URL,
    auth: { secret: env.BETTER_AUTH_SECRET },
    llm: {
      mode: env.LLM_BASE_URL ? 'proxy' : apiKey ? 'direct' : 'demo',
      baseUrl: llmUrl?.url ?? null,
      apiKey,
      modelChat: env.LLM_MODEL_CHAT,
      modelPromptGen: env.LLM_MODEL_PROMPT_GEN,
      timeoutMs: env.LLM_TIMEOUT_MS,
      keepAliveMs: env.LLM_KEEPALIVE_MS,
      maxRetries: env.LLM_MAX_RETRIES,
      streamUsage: env.LLM_STREAM_USAGE,
    },
    models: {
      litellmConfigPath: path.resolve(baseDir, env.LITELLM_CONFIG_PATH),
      modelsJson: env.LLM_MODELS_JSON,
      planModelsJson: env.LLM_PLAN_MODELS_JSON,
      planModelsFile: env.LLM_PLAN_MODELS_FILE ? path.resolve(baseDir, env.LLM_PLAN_MODELS_FILE) : null,
      baselineModels: env.LLM_BASELINE_MODELS,
      showLocked: env.LLM_SHOW_LOCKED_MODELS,
      discovery: env.LLM_DISCOVERY,
      discoveryTtlMs: env.LLM_DISCOVERY_TTL_MS,
    },
    chatbots: {
      defaultMaxTokens: Math.min(env.CHATBOT_DEFAULT_MAX_TOKENS, env.CHATBOT_MAX_TOKENS_CEILING),
      maxTokensCeiling: env.CHATBOT_MAX_TOKENS_CEILING,
    },
    chat: {
      historyMaxChars: env.CHAT_HISTORY_MAX_CHARS,
      maxTurnMs: env.CHAT_MAX_TURN_MS,
      maxAnswerChars: env.CHAT_MAX_ANSWER_CHARS,
    },
    limits: {
      failurePolicy: {
        budget: env.LIMITS_ON_REDIS_FAILURE_BUDGET,
        concurrency: env.LIMITS_ON_REDIS_FAILURE_CONCURRENCY,
        rate: env.LIMITS_ON_REDIS_FAILURE_RATE,
      },
      redisCommandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
      requestsPerMinuteDefault: env.RATE_LIMIT_DEFAULT_PER_MINUTE,
      signUpsPerHour: env.RATE_LIMIT_SIGN_UPS_PER_HOUR,
      signInsPerMinute: env.RATE_LIMIT_SIGN_INS_PER_MINUTE,
    },
  };
}

/** Production refuses to start with missing or placeholder secrets. */
function productionProblems(config: Config): string[] {
  const problems: string[] = [];
  const secret = config.auth.secret;
  if (!secret) {
    problems.push('BETTER_AUTH_SECRET is missing: production needs a random secret of 32+ characters');
  } else if (secret.length < 32 || PLACEHOLDER.test(secret)) {
    problems.push(
      'BETTER_AUTH_SECRET looks like a placeholder or is shorter than 32 characters: generate one with `openssl rand -base64 32`',
    );
  }
  if (config.llm.mode === 'proxy' && (!config.llm.apiKey || PLACEHOLDER.test(config.llm.apiKey))) {
    problems.push('LLM_API_KEY is missing or a placeholder: production in proxy mode needs the LiteLLM key');
  }
  if (config.llm.mode === 'direct' && config.llm.apiKey && PLACEHOLDER.test(config.llm.apiKey)) {
    problems.push('LLM_API_KEY (or OPENAI_API_KEY) looks like a placeholder');
  }
  return problems;
}

function redact(name: string, value: string): string {
  const shown = redactSecrets(value);
  return /KEY|SECRET|PASSWORD|TOKEN/.test(name)
    ? '<redacted>'
    : shown.length > 80
      ? `${shown.slice(0, 77)}...`
      : shown;
}
