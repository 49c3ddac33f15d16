import { Config, plainKeyPrefix } from '../config';
import { Database } from '../db/scope';
import { RunningWorkers, startWorkers } from '../jobs/workers';
import { purgeExpiredJob } from '../jobs/purge-expired.job';
import { auditDrainJob } from '../audit/audit-drain.job';
import { deliverWebhookJob, dispatchWebhooksJob } from '../webhooks';
import { erasureJobs } from '../erasure';
import { profileExportJobs } from '../exports';
import { sealLegacyRowsJob } from '../keys';
import { deliverBackchannelLogoutJob } from '../oidc-provider/backchannel-logout.job';
import { Logger } from '../shared/logger';
import { Services } from './build-services';

/** Rows sealed per transaction by the upgrade job, and how often it looks (a run seals everything left, in batches). */
const LEGACY_SEAL_BATCH = 200;
const LEGACY_SEAL_EVERY_MS = 60_000;

/** The worker role: every queue's worker and every repeatable schedule, on the services built once. */
export function startWorkerRole({ config, log, db, services }: { config: Config; log: Logger; db: Database; services: Services }): Promise<RunningWorkers> {
  return startWorkers({
    redis: { url: config.REDIS_URL, isCluster: config.REDIS_CLUSTER },
    prefix: config.QUEUE_PREFIX,
    // Jobs a release before issue 20 queued under `ids:` instead of `{ids}:` (never on a cluster: they could not be there).
    ...(config.REDIS_CLUSTER ? {} : { legacyPrefix: plainKeyPrefix(config.QUEUE_PREFIX) }),
    handlers: [
      purgeExpiredJob({ retention: services.retention, everyMs: config.PURGE_INTERVAL_SECONDS * 1000 }),
      auditDrainJob({ db, audit: services.audit, batchSize: config.AUDIT_DRAIN_BATCH_SIZE, everyMs: config.AUDIT_DRAIN_INTERVAL_MS }),
      dispatchWebhooksJob({ db, webhooks: services.webhooks, everyMs: config.WEBHOOK_POLL_INTERVAL_MS }),
      deliverWebhookJob({ webhooks: services.webhooks, concurrency: config.WEBHOOK_CONCURRENCY }),
      ...erasureJobs({
        purge: services.erasurePurge,
        sweepEveryMs: config.ERASURE_SWEEP_INTERVAL_SECONDS * 1000,
        staleSeconds: config.ERASURE_STALE_SECONDS,
        retentionEveryMs: config.PROFILE_RETENTION_INTERVAL_SECONDS * 1000,
      }),
      // The upgrade to encryption at rest: rows written in clear before it, sealed in the background.
      sealLegacyRowsJob({ db, sealer: services.legacySealer, batchSize: LEGACY_SEAL_BATCH, everyMs: LEGACY_SEAL_EVERY_MS }),
      ...profileExportJobs({ db, exports: services.exports, sweepEveryMs: config.EXPORT_SWEEP_INTERVAL_SECONDS * 1000 }),
      // Short POSTs to clients, as many at once as webhook deliveries.
      deliverBackchannelLogoutJob({ logout: services.backchannelLogout, concurrency: config.WEBHOOK_CONCURRENCY }),
    ],
    log,
  });
}
