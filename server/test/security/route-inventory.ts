import type { FastifyInstance } from 'fastify';

/**
 * Every route of the app, read from Fastify's own route table, and the access class each one must
 * have. A route missing from ROUTE_ACCESS fails the security tests until someone classifies it:
 * that is the point (a new route is reviewed for who may call it before it ships).
 */

export type Access = 'public' | 'user' | 'admin';

export interface RouteSpec {
  access: Access;
  /** A body that passes validation, so an authorization test reaches the authorization check. */
  validBody?: Record<string, unknown>;
}

/** `METHOD /path` → access. HEAD follows GET (Fastify adds it) and is not listed. */
export const ROUTE_ACCESS: Record<string, RouteSpec> = {
  // operations
  'GET /healthz': { access: 'public' },
  'GET /readyz': { access: 'public' },
  'GET /metrics': { access: 'public' }, // internal network only (the reverse proxy hides it)
  // public API surface
  'GET /api/config': { access: 'public' },
  'GET /api/openapi.json': { access: 'public' },
  'GET /api/docs': { access: 'public' },
  'GET /api/docs/': { access: 'public' },
  'GET /api/docs/json': { access: 'public' },
  'GET /api/docs/yaml': { access: 'public' },
  'GET /api/docs/static/index.html': { access: 'public' },
  'GET /api/docs/static/swagger-initializer.js': { access: 'public' },
  'GET /api/docs/static/*': { access: 'public' },
  // better-auth owns these; its own session and origin checks apply
  'GET /api/auth/*': { access: 'public' },
  'POST /api/auth/*': {
    access: 'public',
    validBody: { email: 'nobody@example.com', password: 'not the password' },
  },
  // the signed-in user's own data
  'GET /api/me': { access: 'user' },
  'GET /api/account/export': { access: 'user' },
  'GET /api/llm/models': { access: 'user' },
  'GET /api/usage': { access: 'user' },
  'GET /api/plan': { access: 'user' },
  'GET /api/chatbots': { access: 'user' },
  'POST /api/chatbots': { access: 'user', validBody: { name: 'Intruder bot' } },
  'GET /api/chatbots/:id': { access: 'user' },
  'PATCH /api/chatbots/:id': { access: 'user', validBody: { name: 'pwned', systemPrompt: 'pwned' } },
  'DELETE /api/chatbots/:id': { access: 'user' },
  'POST /api/chatbots/:id/chat': { access: 'user', validBody: { message: 'give me your secrets' } },
  'GET /api/chatbots/:id/conversations': { access: 'user' },
  'GET /api/conversations/:id': { access: 'user' },
  'GET /api/conversations/:id/live': { access: 'user' },
  'PATCH /api/conversations/:id': { access: 'user', validBody: { title: 'Renamed' } },
  'DELETE /api/conversations/:id': { access: 'user' },
  'POST /api/conversations/:id/regenerate': { access: 'user' },
  'POST /api/messages/:id/stop': { access: 'user' },
  'POST /api/messages/:id/edit': { access: 'user', validBody: { content: 'an edited message' } },
  'POST /api/messages/:id/regenerate': { access: 'user' },
  'PUT /api/conversations/:id/active': { access: 'user', validBody: { messageId: 'some-message' } },
  'POST /api/prompts/generate': { access: 'user', validBody: { description: 'a pirate assistant' } },
  // API keys (issue 23): the owner's side, with the session
  'GET /api/api-keys': { access: 'user' },
  'POST /api/api-keys': { access: 'user', validBody: { name: 'Intruder key', chatbotIds: null } },
  'DELETE /api/api-keys/:id': { access: 'user' },
  'GET /api/api-keys/chatbots': { access: 'user' },
  'GET /api/api-keys/usage': { access: 'user' },
  // the chatbot API: no session, a bearer API key (http/routes/openai/openai-auth.ts)
  'GET /v1/models': { access: 'public' },
  'POST /v1/chat/completions': {
    access: 'public',
    validBody: { model: 'intruder-bot', messages: [{ role: 'user', content: 'give me your secrets' }] },
  },
  // publishing (issue 22): the owner's side
  'GET /api/chatbots/:id/publication': { access: 'user' },
  'PUT /api/chatbots/:id/publication': {
    access: 'user',
    validBody: {
      mode: 'link',
      slug: 'intruder-bot',
      greeting: '',
      suggestions: [],
      appearance: { accent: '#000000', theme: 'auto', position: 'right', title: '', launcherIcon: 'chat' },
      allowedOrigins: [],
      limits: {
        messagesPerHour: 1,
        messagesPerDay: 1,
        concurrentAnswers: 1,
        monthlySpendCapUsd: 0,
        perIpPerHour: 1,
      },
      inGallery: true,
    },
  },
  'PUT /api/chatbots/:id/publication/avatar': { access: 'user' },
  'DELETE /api/chatbots/:id/publication/avatar': { access: 'user' },
  'GET /api/chatbots/:id/inbox': { access: 'user' },
  'GET /api/chatbots/:id/inbox/:conversationId': { access: 'user' },
  'GET /api/chatbots/:id/analytics': { access: 'user' },
  'GET /api/chatbots/:id/analytics.csv': { access: 'user' },
  // published bots' visitors: no session; a visitor token, checked by services/publishing
  'GET /api/public/bots/:slug': { access: 'public' },
  'POST /api/public/bots/:slug/visitors': { access: 'public' },
  'GET /api/public/bots/:slug/conversations': { access: 'public' },
  'GET /api/public/bots/:slug/conversations/:id': { access: 'public' },
  'GET /api/public/bots/:slug/conversations/:id/live': { access: 'public' },
  'POST /api/public/bots/:slug/chat': { access: 'public', validBody: { message: 'give me your secrets' } },
  'POST /api/public/bots/:slug/messages/:id/stop': { access: 'public' },
  'PUT /api/public/bots/:slug/messages/:id/feedback': { access: 'public', validBody: { rating: 'up' } },
  'GET /api/public/gallery': { access: 'public' },
  'GET /api/public/avatars/:file': { access: 'public' },
  'GET /embed/:slug': { access: 'public' },
  // administrators (or the local admin CLI token)
  'POST /api/admin/users/plan': { access: 'admin', validBody: { email: 'x@example.com', plan: null } },
  'POST /api/admin/users/role': { access: 'admin', validBody: { email: 'x@example.com', role: 'admin' } },
  'GET /api/admin/users': { access: 'admin' },
  'POST /api/admin/users/:id/disabled': { access: 'admin', validBody: { disabled: true } },
  'GET /api/admin/plans': { access: 'admin' },
  'GET /api/admin/models': { access: 'admin' },
  'GET /api/admin/usage': { access: 'admin' },
  'GET /api/admin/audit': { access: 'admin' },
  'GET /api/admin/invites': { access: 'admin' },
  'POST /api/admin/invites': { access: 'admin', validBody: {} },
  'DELETE /api/admin/invites/:id': { access: 'admin' },
};

export interface InventoryRoute {
  method: string;
  path: string;
  key: string;
}

/**
 * Parses `app.printRoutes()` (the radix tree, where every node prints its prefix, so concatenating
 * prefixes from the root yields full paths — the flattened `commonPrefix: false` view drops the
 * prefix of wildcard routes) and checks each route against `app.hasRoute`.
 */
export function routeInventory(app: FastifyInstance): InventoryRoute[] {
  const stack: string[] = [];
  const routes: InventoryRoute[] = [];
  for (const line of app.printRoutes().split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    // Parametric siblings with different names print joined by `|`; any one of them matches.
    stack.length = depth;
    stack.push(match[2]!.split('|')[0]!);
    if (!match[3]) continue;
    const path = stack.join('');
    for (const method of match[3].split(', ')) {
      if (method === 'HEAD') continue;
      routes.push({ method, path, key: `${method} ${path}` });
    }
  }
  for (const route of routes) {
    if (!app.hasRoute({ method: route.method as 'GET', url: route.path })) {
      throw new Error(`route inventory parsed a route Fastify does not know: ${route.key}`);
    }
  }
  return dedupe(routes);
}

function dedupe(routes: InventoryRoute[]): InventoryRoute[] {
  const seen = new Map(routes.map((route) => [route.key, route]));
  return [...seen.values()];
}

/** Routes the table does not classify (the test prints them: "classify this new route"). */
export function unclassified(routes: InventoryRoute[]): string[] {
  return routes.filter((route) => !(route.key in ROUTE_ACCESS)).map((route) => route.key);
}

/** `:id` parameters of a path, in order. */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/:(\w+)/g)].map((match) => match[1]!);
}

/** The path with every parameter replaced by `value` (already URL-safe, or encoded here). */
export function fillPath(path: string, value: string): string {
  return path.replace(/:\w+/g, encodeURIComponent(value)).replace(/\*$/, 'anything');
}
