import { Queue } from 'bullmq';
import { ActorKind, runAs } from '../audit';
import { JobHandler } from '../jobs/workers';
import { emptyPayload, JOBS, maintenanceJobOptions, processDeletionRequestPayload, ProcessDeletionRequestPayload, QUEUES, SCHEDULERS } from '../jobs/queues';
import { ErasurePurge } from './erasure.purge';

/** How the audit trail names the erasure worker. */
const ERASURE_ACTOR = Object.freeze({ kind: ActorKind.SYSTEM, id: 'erasure' });
const RETENTION_ACTOR = Object.freeze({ kind: ActorKind.SYSTEM, id: 'profile-retention' });

/**
 * Queues a deletion request on the erasure queue. The job id is the request's, so queuing it twice
 * is harmless; a short delay lets the API's transaction commit first (the job retries if it has not).
 */
export async function enqueueDeletionRequest(queue: Queue, deletionRequestId: string): Promise<void> {
  const data: ProcessDeletionRequestPayload = { deletionRequestId };
  const add = queue.add(JOBS.processDeletionRequest, data, { ...maintenanceJobOptions, jobId: `deletion-${deletionRequestId}` });
  // With Redis down the queue may wait for a connection: give up quickly, the sweep is the fallback.
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out queuing the deletion request')), 2000);
  });
  try {
    await Promise.race([add, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

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
