import { ref, watch } from 'vue';
import type { UsageMonthReport } from '@app/common';
import { api } from '../api';
import { useResource } from './use-resource';

/** One month of the caller's usage; changing `month` loads it (null: the current month). */
export function useUsage(initialMonth: string | null = null) {
  const month = ref<string | null>(initialMonth);
  const resource = useResource<UsageMonthReport>(() => api.account.usage(month.value ?? undefined));
  watch(month, () => void resource.reload());
  return { ...resource, report: resource.data, month };
}
