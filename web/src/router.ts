import { createRouter, createWebHistory, type RouteLocationNormalized, type Router } from 'vue-router';
import { useSession } from './composables/use-session';

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without an account (sign in, sign up). */
    public?: boolean;
    /** Administrators only: anyone else sees "Page not found" (the server answers them 404 too). */
    admin?: boolean;
    title?: string;
    /** A page for visitors of a published bot: no app header, banner or session notice. */
    bare?: boolean;
  }
}

const routes = [
  {
    // Signed out: what the product is; signed in: the guard sends the user to their chatbots.
    path: '/',
    name: 'landing',
    component: () => import('./pages/LandingPage.vue'),
    meta: { public: true, title: 'Build and share chatbots' },
  },
  {
    path: '/sign-in',
    name: 'sign-in',
    component: () => import('./pages/SignInPage.vue'),
    meta: { public: true, title: 'Sign in' },
  },
  {
    path: '/sign-up',
    name: 'sign-up',
    component: () => import('./pages/SignUpPage.vue'),
    meta: { public: true, title: 'Create an account' },
  },
  {
    path: '/chatbots',
    name: 'chatbots',
    component: () => import('./pages/ChatbotListPage.vue'),
    meta: { title: 'Chatbots' },
  },
  {
    path: '/chatbots/new',
    name: 'chatbot-new',
    component: () => import('./pages/ChatbotNewPage.vue'),
    meta: { title: 'New chatbot' },
  },
  {
    path: '/chatbots/:id/edit',
    name: 'chatbot-edit',
    component: () => import('./pages/ChatbotEditPage.vue'),
    meta: { title: 'Edit chatbot' },
  },
  {
    path: '/chatbots/:id/chat/:conversationId?',
    name: 'chat',
    component: () => import('./pages/ChatPage.vue'),
    meta: { title: 'Chat' },
  },
  {
    path: '/chatbots/:id/publish',
    name: 'chatbot-publish',
    component: () => import('./pages/PublishPage.vue'),
    meta: { title: 'Publish chatbot' },
  },
  {
    path: '/chatbots/:id/inbox/:conversationId?',
    name: 'chatbot-inbox',
    component: () => import('./pages/InboxPage.vue'),
    meta: { title: 'Visitor inbox' },
  },
  {
    path: '/chatbots/:id/insights',
    name: 'chatbot-insights',
    component: () => import('./pages/InsightsPage.vue'),
    meta: { title: 'Visitor insights' },
  },
  {
    path: '/c/:slug',
    name: 'share',
    component: () => import('./pages/SharePage.vue'),
    meta: { public: true, bare: true, title: 'Chat' },
  },
  {
    path: '/embed/:slug',
    name: 'embed',
    component: () => import('./pages/EmbedPage.vue'),
    meta: { public: true, bare: true, title: 'Chat' },
  },
  {
    path: '/usage',
    name: 'usage',
    component: () => import('./pages/UsagePage.vue'),
    meta: { title: 'Usage' },
  },
  {
    path: '/api-keys',
    name: 'api-keys',
    component: () => import('./pages/ApiKeysPage.vue'),
    meta: { title: 'API keys' },
  },
  {
    path: '/account',
    name: 'account',
    component: () => import('./pages/account/AccountPage.vue'),
    meta: { title: 'Account' },
  },
  { path: '/settings', redirect: { name: 'account' } },
  {
    path: '/plan',
    name: 'plan',
    component: () => import('./pages/PlanPage.vue'),
    meta: { title: 'My plan' },
  },
  { path: '/plans', redirect: { name: 'plan' } },
  {
    path: '/admin',
    component: () => import('./pages/admin/AdminLayout.vue'),
    meta: { admin: true, title: 'Admin' },
    children: [
      { path: '', redirect: { name: 'admin-users' } },
      {
        path: 'users',
        name: 'admin-users',
        component: () => import('./pages/admin/AdminUsersPage.vue'),
        meta: { admin: true, title: 'Admin · Users' },
      },
      {
        path: 'invites',
        name: 'admin-invites',
        component: () => import('./pages/admin/AdminInvitesPage.vue'),
        meta: { admin: true, title: 'Admin · Invites' },
      },
      {
        path: 'plans',
        name: 'admin-plans',
        component: () => import('./pages/admin/AdminPlansPage.vue'),
        meta: { admin: true, title: 'Admin · Plans' },
      },
      {
        path: 'models',
        name: 'admin-models',
        component: () => import('./pages/admin/AdminModelsPage.vue'),
        meta: { admin: true, title: 'Admin · Models' },
      },
      {
        path: 'usage',
        name: 'admin-usage',
        component: () => import('./pages/admin/AdminUsagePage.vue'),
        meta: { admin: true, title: 'Admin · Usage' },
      },
      {
        path: 'audit',
        name: 'admin-audit',
        component: () => import('./pages/admin/AdminAuditPage.vue'),
        meta: { admin: true, title: 'Admin · Audit log' },
      },
    ],
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('./pages/NotFoundPage.vue'),
    meta: { public: true, title: 'Not found' },
  },
];

/** Anonymous visitors of a private page go to sign-in (and come back after). */
export async function authGuard(to: RouteLocationNormalized) {
  if (to.meta.bare) return true; // a visitor's page: no session to look up
  const session = useSession();
  const me = await session.load();
  if (to.meta.public) {
    if (me && (to.name === 'sign-in' || to.name === 'sign-up' || to.name === 'landing'))
      return { name: 'chatbots' };
    return true;
  }
  if (!me) return { name: 'sign-in', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } };
  if (to.meta.admin && me.role !== 'admin') {
    return { name: 'not-found', params: { pathMatch: to.path.slice(1).split('/') }, replace: true };
  }
  return true;
}

export function createAppRouter(): Router {
  const router = createRouter({ history: createWebHistory(), routes });
  router.beforeEach(authGuard);
  router.afterEach((to) => {
    document.title = to.meta.title ? `${to.meta.title} · Chatbot Builder` : 'Chatbot Builder';
  });
  return router;
}

/** Only same-app paths are accepted as a post-sign-in target (no open redirect). */
export function safeRedirect(value: unknown): string {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') ? value : '/chatbots';
}
