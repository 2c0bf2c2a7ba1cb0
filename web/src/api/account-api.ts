import type { Me, PlanOverview, PublicServerInfo, UsageMonthReport } from '@app/common';
import type { HttpClient } from './http-client';

export interface SignUpInput {
  name: string;
  email: string;
  password: string;
  /** Needed when the server's sign-up is by invite (`/sign-up?invite=<code>`). */
  inviteCode?: string;
}

export interface AccountApi {
  signUp(input: SignUpInput): Promise<void>;
  signIn(input: { email: string; password: string }): Promise<void>;
  signOut(): Promise<void>;
  me(): Promise<Me>;
  serverInfo(): Promise<PublicServerInfo>;
  /** One calendar month (UTC, `2026-11`); the current one without `month`. */
  usage(month?: string): Promise<UsageMonthReport>;
  plan(): Promise<PlanOverview>;
}

/** better-auth routes plus the small account endpoints of our API. */
export function createAccountApi(http: HttpClient): AccountApi {
  return {
    async signUp(input) {
      await http.json('POST', '/api/auth/sign-up/email', input);
    },
    async signIn(input) {
      await http.json('POST', '/api/auth/sign-in/email', input);
    },
    async signOut() {
      // better-auth wants a JSON body on this POST (Fastify refuses an empty JSON body).
      await http.json('POST', '/api/auth/sign-out', {});
    },
    me: () => http.json('GET', '/api/me'),
    serverInfo: () => http.json('GET', '/api/config'),
    usage: (month) =>
      http.json('GET', month ? `/api/usage?month=${encodeURIComponent(month)}` : '/api/usage'),
    plan: () => http.json('GET', '/api/plan'),
  };
}
