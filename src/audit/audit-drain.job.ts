import { Database, platformScope } from '../db/scope';
import { JobHandler } from '../jobs/workers';
import { emptyPayload, JOBS, QUEUES, SCHEDULERS } from '../jobs/queues';
import { Logger } from '../shared/logger';
import { AuditService } from './audit.service';

/** How many batches one run chains before it lets the next scheduled run continue. */
const MAX_BATCHES_PER_RUN = 1000;

/**
 * Moves every pending outbox event onto its chain, a batch per transaction, and returns how many
 * it moved. Nothing here touches Redis: while Redis is down the outbox simply fills, and the first
 * run after it returns drains it.
 */
export async function drainAuditOutbox(db: Database, audit: AuditService, batchSize: number, log?: Logger): Promise<number> {
  let total = 0;
  for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
    const moved = await db.run(platformScope('audit drain', { routine: true }), () => audit.drain(batchSize));
    total += moved;
    if (moved < batchSize) break;
  }
  if (total > 0) log?.debug({ events: total }, 'chained audit events');
  // Then payloads stored in clear before encryption at rest (an upgraded database), a batch per transaction; none once they are sealed.
  let after: string | null = '00000000-0000-0000-0000-000000000000';
  for (let batch = 0; batch < MAX_BATCHES_PER_RUN && after !== null; batch++) {
    const from: string = after;
    after = await db.run(platformScope('seal audit payloads stored in clear', { routine: true }), () => audit.sealLegacyPayloads(from, batchSize));
  }
  return total;
}

/** The scheduled job of the audit worker: the only writer of `audit_event`. */
export function auditDrainJob(deps: { db: Database; audit: AuditService; batchSize: number; everyMs: number }): JobHandler {
  return {
    queue: QUEUES.audit,
    name: JOBS.drainAuditOutbox,
    payload: emptyPayload,
    schedule: { schedulerId: SCHEDULERS.drainAuditOutbox, everyMs: deps.everyMs },
    run: (_data, log) => drainAuditOutbox(deps.db, deps.audit, deps.batchSize, log),
  };
}
