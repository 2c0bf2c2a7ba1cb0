import fs from 'node:fs';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Config } from './config/index.js';
import type { Database } from './db/database.js';
import type { Auth } from './auth/create-auth.js';
import type { LlmBackend } from './llm/create-llm-backend.js';
import type { ModelCatalog } from './models/model-catalog.js';
import type { PlanStore } from './config/plans-store.js';
import { modelsRoutes } from './http/routes/models/models.routes.js';
import { metricsRoutes } from './http/routes/metrics.routes.js';
import { rateLimitPlugin } from './http/plugins/rate-limit.js';
import { fastifyTrustProxy } from './http/trust-proxy.js';
import { createServices } from './services/create-services.js';
import { frameworkErrors } from './http/plugins/framework-errors.js';
import { originCheckPlugin } from './http/plugins/origin-check.js';
import { securityHeadersPlugin } from './http/plugins/security-headers.js';
import { authPlugin } from './http/plugins/auth.js';
import { errorHandlerPlugin, send } from './http/plugins/error-handler.js';
import type { Logger } from 'pino';
import { createLogger, genReqId, RequestLogController } from './http/logger-options.js';
import { healthRoutes } from './http/routes/health/health.routes.js';
import { configRoutes } from './http/routes/config.routes.js';
import { meRoutes } from './http/routes/me/me.routes.js';
import { chatbotsRoutes } from './http/routes/chatbots/chatbots.routes.js';
import { adminRoutes } from './http/routes/admin/admin.routes.js';
import { chatRoutes } from './http/routes/chat/chat.routes.js';
import { conversationsRoutes } from './http/routes/conversations/conversations.routes.js';
import { liveRoutes } from './http/routes/conversations/live.routes.js';
import { publicRoutes } from './http/routes/public/public.routes.js';
import { publicLiveRoutes } from './http/routes/public/public-live.routes.js';
import { embedPageRoutes, widgetAssetHeaders } from './http/routes/public/embed-page.routes.js';
import { publishingRoutes } from './http/routes/publishing/publishing.routes.js';
import { promptsRoutes } from './http/routes/prompts/prompts.routes.js';
import { usageRoutes } from './http/routes/usage/usage.routes.js';
import { accountRoutes } from './http/routes/account/account.routes.js';
import { AccountExportService } from './services/account/account-export-service.js';
import { PlanOverviewService } from './services/account/plan-overview-service.js';
import { adminConsoleRoutes } from './http/routes/admin/admin-console.routes.js';
import { AdminUsersService } from './services/admin/admin-users-service.js';
import { listAudit } from './services/admin/admin-audit.js';
import { apiKeysRoutes } from './http/routes/openai/api-keys.routes.js';
import { openAiRoutes } from './http/routes/openai/openai.routes.js';
import { invitesRoutes } from './http/routes/admin/invites.routes.js';
import { InviteService } from './services/invites/invite-service.js';
import { hasNoAccounts, isFirstAccount } from './services/invites/first-account.js';

export interface AppDeps {
  config: Config;
  database: Database;
  auth: Auth;
  llm: LlmBackend;
  /** What models exist (hot-reloaded) and which plan may use which. */
  catalog: ModelCatalog;
  plans: PlanStore;
  /** The process logger (main.ts); tests get one from the config's level. */
  logger?: Logger;
  /** Built SPA to serve (web/dist); null serves the API only. */
  spaDir: string | null;
  /** Token the admin CLI presents to a running server (see cli/admin.ts). */
  adminCliToken: string | null;
}

const BODY_LIMIT = 1024 * 1024;
const REQUEST_TIMEOUT_MS = 30_000;

/** Builds the whole HTTP app from its dependencies. Never listens: main.ts and tests decide. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, database, auth, llm, catalog, plans } = deps;
  const logger = deps.logger ?? createLogger(config.server.logLevel);
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    genReqId,
    frameworkErrors,
    requestIdHeader: false,
    bodyLimit: BODY_LIMIT,
    // Which X-Forwarded-For hops to believe (TRUST_PROXY); request.ip feeds the per-IP limits and logs.
    trustProxy: fastifyTrustProxy(config.server.trustProxy),
    // Slow-loris guard: a request must arrive in full within this time. Node 20 cuts a slow body
    // only when the headers deadline is not longer (its default is 60 s), so both are set at creation;
    // deadlines are checked every 5 s instead of 30 s.
    requestTimeout: REQUEST_TIMEOUT_MS,
    http: {
      requestTimeout: REQUEST_TIMEOUT_MS,
      headersTimeout: REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: 5_000,
    },
    forceCloseConnections: 'idle',
    logController: new RequestLogController(logger),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  let shuttingDown = false;
  app.addHook('preClose', async () => {
    shuttingDown = true;
  });

  const services = createServices({
    config,
    database,
    llm,
    catalog,
    plans,
    logger: app.log,
    secret: auth.options.secret ?? '',
  });
  const { subscriptions, chatbots, chat, conversations, usage, prompts } = services;
  app.addHook('onReady', async () => services.startRecovery());
  app.addHook('preClose', () => services.finalize(config.server.shutdownGraceMs));
  app.addHook('onClose', () => services.close());

  await app.register(errorHandlerPlugin);
  await app.register(originCheckPlugin, { trustedOrigins: config.server.trustedOrigins });
  await app.register(securityHeadersPlugin, {
    helmet: {
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          frameAncestors: ["'none'"],
        },
      },
    },
  });
  await registerOpenApi(app, config.server.openApiUi);
  await app.register(metricsRoutes);
  await app.register(authPlugin, {
    auth,
    sessions: services.sessions,
    onUserChange: services.userChanged,
  });
  await app.register(rateLimitPlugin, {
    redis: services.limits.redis,
    planLimitsFor: (request) => services.planOf(request.user?.id ?? null),
    fallbackRequestsPerMinute: config.limits.requestsPerMinuteDefault,
    signUp: { max: config.limits.signUpsPerHour, timeWindowMs: 3_600_000 },
    signIn: { max: config.limits.signInsPerMinute, timeWindowMs: 60_000 },
    failureMode: config.limits.failurePolicy.rate,
  });

  await app.register(healthRoutes, {
    probe: {
      database: () => database.ping(),
      llm: () => ({ mode: llm.mode, endpoint: llm.endpoint, catalog: catalog.status() }),
      shuttingDown: () => shuttingDown,
    },
  });
  // A server without accounts lets its first account sign up whatever SIGNUP says (signup-gate.ts), so
  // the SPA is told "open" until then. Once an account exists the answer is the setting (not re-checked).
  let hasAccounts = false;
  const signupShown = async () => {
    if (!hasAccounts) hasAccounts = !(await hasNoAccounts(database.db));
    return hasAccounts ? config.signup : 'open';
  };
  await app.register(configRoutes, {
    info: async () => ({
      llmMode: llm.mode,
      defaultModel: config.llm.modelChat,
      plans: services.planNames(),
      signup: await signupShown(),
    }),
  });
  await app.register(meRoutes, {
    subscriptions,
    isFirstAccount: (userId) => isFirstAccount(database.db, userId),
  });
  await app.register(accountRoutes, {
    accountExport: new AccountExportService(database.db, (userId) => subscriptions.getActivePlan(userId)),
  });
  await app.register(chatbotsRoutes, { chatbots });
  await app.register(modelsRoutes, {
    catalog,
    plans: () => plans.current(),
    subscriptions: { getActivePlan: services.activePlanOf },
    showLockedModels: config.models.showLocked,
    maxTokensCeiling: config.chatbots.maxTokensCeiling,
  });
  await app.register(adminRoutes, {
    subscriptions,
    users: new AdminUsersService(database.db, { usage, onUserChange: services.userChanged }),
    cliToken: deps.adminCliToken,
  });
  await app.register(invitesRoutes, {
    invites: new InviteService(database.db, { appUrl: config.server.appUrl }),
    cliToken: deps.adminCliToken,
  });
  await app.register(adminConsoleRoutes, {
    plans,
    catalog,
    usage,
    audit: () => listAudit(database.db),
    cliToken: deps.adminCliToken,
  });
  await app.register(chatRoutes, { chat });
  await app.register(conversationsRoutes, { conversations });
  await app.register(liveRoutes, { conversations, runs: chat.runs });
  await app.register(promptsRoutes, { prompts });
  // Published chatbots (issue 22): the owner's settings and inbox; the visitors' API and pages.
  await app.register(publishingRoutes, { publishing: services.publishing });
  await app.register(publicRoutes, { publishing: services.publishing });
  await app.register(publicLiveRoutes, { publishing: services.publishing, runs: chat.runs });
  await app.register(embedPageRoutes, { publishing: services.publishing, hasSpa: hasSpaAt(deps.spaDir) });
  // The chatbot API: bearer keys on /v1 (never cookies, no origin check), keys managed on /api.
  await app.register(apiKeysRoutes, { keys: services.api.keys, directory: services.api.directory });
  await app.register(openAiRoutes, { prefix: '/v1', api: services.api });
  await app.register(usageRoutes, {
    usage,
    catalog,
    planOverview: new PlanOverviewService({
      catalog,
      plans: () => plans.current(),
      activePlan: (userId) => subscriptions.getActivePlan(userId),
      usage,
    }),
  });

  registerSpa(app, deps.spaDir);
  return app;
}

async function registerOpenApi(app: FastifyInstance, withUi: boolean) {
  await app.register(swagger, {
    openapi: {
      info: { title: 'Chatbot Builder API', version: '1.0.0' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'better-auth.session_token' },
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key (cbk_…), /v1 only' },
          visitorToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'A visitor token (POST /api/public/bots/{slug}/visitors), /api/public only',
          },
        },
      },
      security: [{ session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  if (withUi) await app.register(swaggerUi, { routePrefix: '/api/docs' });
}

function hasSpaAt(spaDir: string | null): spaDir is string {
  return spaDir !== null && fs.existsSync(`${spaDir}/index.html`);
}

/** Serves the built SPA; unknown non-API GETs get index.html (client-side routes). */
function registerSpa(app: FastifyInstance, spaDir: string | null) {
  const hasSpa = hasSpaAt(spaDir);
  if (hasSpa) {
    void app.register(fastifyStatic, {
      root: spaDir!,
      wildcard: false,
      index: false,
      maxAge: '1h',
      // /widget.js is loaded by other websites (issue 22).
      setHeaders: widgetAssetHeaders,
    });
  }
  app.setNotFoundHandler((request, reply) => {
    const isPage =
      request.method === 'GET' && !request.url.startsWith('/api/') && !request.url.startsWith('/api?');
    if (hasSpa && isPage) {
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    }
    return send(reply, 'not_found', `No route ${request.method} ${request.url.split('?')[0]}`);
  });
}
