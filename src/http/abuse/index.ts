export { AbuseGuard, digestOf, sendTooManyRequests } from './abuse-guard';
export type { AbuseSettings, Lockout } from './abuse-guard';
export { CounterStore } from './counter-store';
export { auditLockout } from './lockout-audit';
