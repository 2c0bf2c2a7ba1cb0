import type { PlanOverview } from '@app/common';
import { api } from '../api';
import { useResource } from './use-resource';

/** The caller's plan, its limits and this month's use against them (GET /api/plan). */
export function usePlan() {
  const resource = useResource<PlanOverview>(() => api.account.plan());
  return { ...resource, overview: resource.data };
}
