import type { UsageTotals } from '@app/common';
import type { HttpClient } from './http-client';

export interface AdminUser {
  id: string;
  name: string;
  email: string;
  role: 'user' | 'admin';
  plan: string | null;
  disabled: boolean;
  createdAt: string;
  usage: UsageTotals;
}

export interface AdminPlans {
  source: 'file' | 'env' | 'default';
  filePath: string | null;
  loadedAt: string | null;
  lastError: { message: string; at: string } | null;
  warnings: string[];
  plans: Array<{ plan: string; models: string[]; limits: Record<string, number> }>;
  baseline: { models: string[]; limits: Record<string, number> };
  upgrade: { url?: string; contact?: string };
}

export interface AdminModels {
  status: {
    source: string;
    models: number;
    discovery: string;
    lastRefreshAt: string | null;
    stale: boolean;
    unserved: string[];
    error?: string;
    warnings: string[];
  };
  models: Array<{
    id: string;
    label: string;
    provider: string;
    hidden: boolean;
    served: boolean;
    healthStatus: string | null;
  }>;
}

export interface AdminUsage {
  month: string;
  totals: UsageTotals;
  byModel: Array<UsageTotals & { model: string; label: string }>;
  users: number;
  deletedAccounts: UsageTotals;
}

export interface AuditRow {
  id: string;
  actor: string;
  targetEmail: string;
  action: 'set_plan' | 'set_role' | 'disable' | 'enable' | 'invite_create' | 'invite_revoke';
  fromValue: string | null;
  toValue: string | null;
  createdAt: string;
}

export interface AdminInvite {
  id: string;
  email: string | null;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  status: 'open' | 'used' | 'expired';
  usedAt: string | null;
  usedEmail: string | null;
}

/** A new invite: its link is shown once (only a hash of the code is kept). */
export interface CreatedInvite extends AdminInvite {
  code: string;
  link: string;
}

/** The admin console's reads and writes (every route answers 404 to a non-admin). */
export interface AdminApi {
  users(query: string): Promise<AdminUser[]>;
  setPlan(email: string, plan: string | null): Promise<void>;
  setRole(email: string, role: 'user' | 'admin'): Promise<void>;
  setDisabled(userId: string, disabled: boolean): Promise<void>;
  plans(): Promise<AdminPlans>;
  models(): Promise<AdminModels>;
  usage(month?: string): Promise<AdminUsage>;
  audit(): Promise<AuditRow[]>;
  invites(): Promise<AdminInvite[]>;
  createInvite(body: { email: string | null; expiresInHours: number | null }): Promise<CreatedInvite>;
  revokeInvite(id: string): Promise<void>;
}

export function createAdminApi(http: HttpClient): AdminApi {
  return {
    users: (query) => http.json('GET', `/api/admin/users${query ? `?q=${encodeURIComponent(query)}` : ''}`),
    async setPlan(email, plan) {
      await http.json('POST', '/api/admin/users/plan', { email, plan });
    },
    async setRole(email, role) {
      await http.json('POST', '/api/admin/users/role', { email, role });
    },
    async setDisabled(userId, disabled) {
      await http.json('POST', `/api/admin/users/${encodeURIComponent(userId)}/disabled`, { disabled });
    },
    plans: () => http.json('GET', '/api/admin/plans'),
    models: () => http.json('GET', '/api/admin/models'),
    usage: (month) =>
      http.json('GET', month ? `/api/admin/usage?month=${encodeURIComponent(month)}` : '/api/admin/usage'),
    audit: () => http.json('GET', '/api/admin/audit'),
    invites: () => http.json('GET', '/api/admin/invites'),
    createInvite: (body) => http.json('POST', '/api/admin/invites', body),
    async revokeInvite(id) {
      await http.json('DELETE', `/api/admin/invites/${encodeURIComponent(id)}`);
    },
  };
}
