import { JobsOptions } from 'bullmq';
import { z } from 'zod';

/** Queue names; they are part of the Redis key space, so renaming one strands its jobs. */
export const QUEUES = {
  maintenance: 'maintenance',
} as const;

/** Job names within their queue. */
export const JOBS = {
  purgeExpired: 'purge-expired',
} as const;

/** Scheduler ids (BullMQ job schedulers are upserted by id, so restarts never duplicate them). */
export const SCHEDULERS = {
  purgeExpired: 'purge-expired-every',
} as const;

export const purgeExpiredPayload = z.object({}).strict();
export type PurgeExpiredPayload = z.infer<typeof purgeExpiredPayload>;

/**
 * Retry policy: maintenance work is idempotent, so retry with exponential backoff; keep a bounded
 * history of finished jobs for inspection without letting Redis grow.
 */
export const maintenanceJobOptions: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 1000 },
};
