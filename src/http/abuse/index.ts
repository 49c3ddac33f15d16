export { AbuseGuard, AbuseSettings, digestOf, Lockout, sendTooManyRequests } from './abuse-guard';
export { CounterStore } from './counter-store';
export { auditLockout } from './lockout-audit';
