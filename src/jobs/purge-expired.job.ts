import type { RetentionService } from '../retention';
import { JobHandler } from './workers';
import { JOBS, purgeExpiredPayload, QUEUES, SCHEDULERS } from './queues';

/**
 * The scheduled purge job of the maintenance queue: one retention run (every kind in bounded
 * batches, each kind's failure isolated, the run recorded in `purge_run`).
 */
export function purgeExpiredJob(deps: { retention: RetentionService; everyMs: number }): JobHandler {
  return {
    queue: QUEUES.maintenance,
    name: JOBS.purgeExpired,
    payload: purgeExpiredPayload,
    schedule: { schedulerId: SCHEDULERS.purgeExpired, everyMs: deps.everyMs },
    run: (_data, log) => deps.retention.purgeExpired(log),
  };
}
