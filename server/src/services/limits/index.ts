export { createLimits, type CreateLimitsOptions, type Limits } from './create-limits.js';
export {
  LimitsService,
  type ActualUsage,
  type BudgetReservation,
  type LimitsServiceOptions,
  type ReserveRequest,
  type ReserveResult,
  type SpentThisMonth,
  type StreamLease,
} from './limits-service.js';
export type { Admission, AdmitRequest, UsageReport } from './admission.js';
export {
  DEFAULT_FAILURE_POLICY,
  type FailureMode,
  type FailurePolicy,
  type LimitsLogger,
} from './failure-policy.js';
export { MemoryLimitsStore } from './memory-limits-store.js';
export { RedisLimitsStore } from './redis-limits-store.js';
export type { LimitsStore } from './limits-store.js';
export { budgetMonthOf } from './budget-month.js';
export { estimateTokensOfText, estimateUsage, isFreeModel, type ModelPrice } from './usage-estimate.js';
export { ledgerSpentThisMonth } from './ledger-spend.js';
export {
  chargeCall,
  reachedUpstream,
  type CallCharge,
  type CallPricing,
  type FinishedCall,
} from './call-charge.js';
