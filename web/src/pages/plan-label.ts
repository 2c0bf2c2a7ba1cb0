import { planName } from '../components/model-format';

/** A plan as people read it: users without a subscription are on the free baseline, not in error. */
export const planLabel = (plan: string | null | undefined): string => (plan ? planName(plan) : 'Free');
