import { JobsOptions } from 'bullmq';
import { z } from 'zod';

/** Queue names; they are part of the Redis key space, so renaming one strands its jobs. */
export const QUEUES = {
  maintenance: 'maintenance',
  /** Its own queue, so a long purge never delays the audit trail. */
  audit: 'audit',
  /** Turns outbox events into webhook deliveries and hands out the due ones (one at a time). */
  webhookDispatch: 'webhook-dispatch',
  /** One job per delivery attempt, many at once, so a slow endpoint holds up only its own. */
  webhookDelivery: 'webhook-delivery',
  /** Deletion requests, their sweep and profile retention: long purges never delay other work. */
  erasure: 'erasure',
  /** Building an export reads a person's whole history; its own queue keeps it off the other two. */
  exports: 'exports',
  /** OpenID Connect back-channel logout notices, one job per client told, many at once. */
  backchannelLogout: 'oidc-backchannel-logout',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** Job names within their queue. */
export const JOBS = {
  purgeExpired: 'purge-expired',
  drainAuditOutbox: 'drain-audit-outbox',
  dispatchWebhooks: 'dispatch-webhooks',
  deliverWebhook: 'deliver-webhook',
  processDeletionRequest: 'process-deletion-request',
  sweepDeletionRequests: 'sweep-deletion-requests',
  applyProfileRetention: 'apply-profile-retention',
  buildProfileExport: 'build-profile-export',
  sweepProfileExports: 'sweep-profile-exports',
  sealLegacyRows: 'seal-legacy-rows',
  deliverBackchannelLogout: 'deliver-backchannel-logout',
} as const;

/** Scheduler ids (BullMQ job schedulers are upserted by id, so restarts never duplicate them). */
export const SCHEDULERS = {
  purgeExpired: 'purge-expired-every',
  drainAuditOutbox: 'drain-audit-outbox-every',
  dispatchWebhooks: 'dispatch-webhooks-every',
  sweepDeletionRequests: 'sweep-deletion-requests-every',
  applyProfileRetention: 'apply-profile-retention-every',
  sweepProfileExports: 'sweep-profile-exports-every',
  sealLegacyRows: 'seal-legacy-rows-every',
} as const;

/** Scheduled jobs carry no data: each run works on what the database holds then. */
export const emptyPayload = z.object({}).strict();
export const purgeExpiredPayload = emptyPayload;
export type PurgeExpiredPayload = z.infer<typeof purgeExpiredPayload>;
/** A deletion request to process; its id is the natural key, so a repeated job is harmless. */
export const processDeletionRequestPayload = z.object({ deletionRequestId: z.string().uuid() }).strict();
export type ProcessDeletionRequestPayload = z.infer<typeof processDeletionRequestPayload>;

/** One export to build; the job id is the export id, so enqueuing it twice builds it once. */
export const buildProfileExportPayload = z.object({ customerId: z.string().uuid(), exportId: z.string().uuid() }).strict();
export type BuildProfileExportPayload = z.infer<typeof buildProfileExportPayload>;

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
