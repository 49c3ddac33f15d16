import { ActorKind, runAs } from '../audit';
import { JobHandler } from '../jobs/workers';
import { emptyPayload, JOBS, processDeletionRequestPayload, ProcessDeletionRequestPayload, QUEUES, SCHEDULERS } from '../jobs/queues';
import { ErasurePurge } from './erasure.purge';

/** How the audit trail names the erasure worker. */
const ERASURE_ACTOR = Object.freeze({ kind: ActorKind.SYSTEM, id: 'erasure' });
const RETENTION_ACTOR = Object.freeze({ kind: ActorKind.SYSTEM, id: 'profile-retention' });

/** The erasure worker's jobs: a request as soon as it is made, the sweep, and profile retention. */
export function erasureJobs(deps: { purge: ErasurePurge; sweepEveryMs: number; staleSeconds: number; retentionEveryMs: number }): JobHandler[] {
  return [
    {
      queue: QUEUES.erasure,
      name: JOBS.processDeletionRequest,
      payload: processDeletionRequestPayload,
      run: (data) => runAs(ERASURE_ACTOR, () => deps.purge.process((data as ProcessDeletionRequestPayload).deletionRequestId)),
    },
    {
      queue: QUEUES.erasure,
      name: JOBS.sweepDeletionRequests,
      payload: emptyPayload,
      schedule: { schedulerId: SCHEDULERS.sweepDeletionRequests, everyMs: deps.sweepEveryMs },
      run: () => runAs(ERASURE_ACTOR, () => deps.purge.sweep(deps.staleSeconds)),
    },
    {
      queue: QUEUES.erasure,
      name: JOBS.applyProfileRetention,
      payload: emptyPayload,
      schedule: { schedulerId: SCHEDULERS.applyProfileRetention, everyMs: deps.retentionEveryMs },
      run: () => runAs(RETENTION_ACTOR, () => deps.purge.applyRetention()),
    },
  ];
}
