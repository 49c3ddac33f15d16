import { MikroORM } from '@mikro-orm/postgresql';
import type { AuditService } from '../audit';
import type { Config } from '../config';
import type { CustomerResidency } from '../customers';
import { Database } from '../db/scope';
import { DeletionKind, ErasurePurge, ErasureService } from '../erasure';
import { DownloadSigner, ExportService } from '../exports';
import { JobProducer } from '../jobs/producer';
import { JOBS, ProcessDeletionRequestPayload, QUEUES } from '../jobs/queues';
import type { KeyRing } from '../keys';
import { EXPORT_READY_OUTCOME, PrivacyRequestService } from '../privacy-requests';
import type { ProfileService } from '../profiles';
import { Clock } from '../shared/clock';
import { Logger } from '../shared/logger';
import { createSealer } from '../shared/sealed-box';

export interface DataSubjectRightsFoundation {
  config: Config;
  log: Logger;
  clock: Clock;
  orm: MikroORM;
  db: Database;
  producer: JobProducer;
  residency?: CustomerResidency;
  audit: AuditService;
  keys: KeyRing;
  profiles: ProfileService;
}

/**
 * The services of people's rights over their data: erasure (requests and the purge), exports, and
 * the privacy requests that record what people asked for (issue 22), which the export build and
 * the erasure purge complete through the hooks wired here.
 */
export function buildDataSubjectRights(foundation: DataSubjectRightsFoundation): {
  erasure: ErasureService;
  erasurePurge: ErasurePurge;
  exports: ExportService;
  privacyRequests: PrivacyRequestService;
} {
  const { config, log, clock, orm, db, producer, residency, audit, keys, profiles } = foundation;
  const secretKeys = config.SECRET_KEYS;
  const erasure = new ErasureService({
    em: orm.em,
    clock,
    audit,
    // Queued once the request is committed, so the worker always finds it (the sweep covers a Redis outage).
    enqueue: async (id) =>
      db.afterCommit(() => producer.add(QUEUES.erasure, JOBS.processDeletionRequest, { deletionRequestId: id } satisfies ProcessDeletionRequestPayload, `deletion-${id}`)),
    log: log.child({ feature: 'erasure' }),
    keys,
  });
  const privacyRequests = new PrivacyRequestService({ em: orm.em, clock, audit, erasure });
  const erasurePurge = new ErasurePurge({
    db,
    em: orm.em,
    clock,
    audit,
    erasure,
    batchSize: config.ERASURE_BATCH_SIZE,
    log: log.child({ feature: 'erasure' }),
    keys,
    // A privacy center's DELETION request is answered when its erasure is; a person erased any other
    // way (the API, retention) has their open ones answered too, and nothing typed about them kept.
    onCompleted: async (request) => {
      await privacyRequests.completeForDeletion(request.id);
      if (request.kind === DeletionKind.PROFILE && request.subjectHash !== null) await privacyRequests.completeForErasedSubject(request.customerId, request.subjectHash);
    },
  });
  const exportLog = log.child({ feature: 'exports' });
  const exports = new ExportService({
    em: orm.em,
    region: residency?.region ?? config.regions[0]?.region ?? 'EU',
    clock,
    audit,
    profiles,
    sealer: createSealer(secretKeys, 'profile-export-document'),
    keys,
    signer: new DownloadSigner(secretKeys),
    publicUrl: config.PUBLIC_URL,
    ttlSeconds: config.EXPORT_TTL_SECONDS,
    // A lost job is no lost export: the sweep builds every PENDING one.
    enqueue: async (job) => {
      try {
        await producer.add(QUEUES.exports, JOBS.buildProfileExport, { ...job }, job.exportId);
      } catch (err) {
        exportLog.warn({ err: (err as Error).message, exportId: job.exportId }, 'could not queue the export; the sweep will build it');
      }
    },
    afterCommit: (fn) => db.afterCommit(fn),
    // A privacy center's EXPORT request is answered when its export is ready to download.
    onBuilt: (id) => privacyRequests.completeForExport(id, EXPORT_READY_OUTCOME),
  });
  return { erasure, erasurePurge, exports, privacyRequests };
}
