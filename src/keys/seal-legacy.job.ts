import { Database, platformScope } from '../db/scope';
import { JobHandler } from '../jobs/workers';
import { emptyPayload, JOBS, QUEUES, SCHEDULERS } from '../jobs/queues';
import { Logger } from '../shared/logger';
import type { LegacySealer, SealCounts } from './legacy-sealer';

/** How many batches (per table) one run chains before it lets the next scheduled run continue. */
const MAX_BATCHES_PER_RUN = 100;

/**
 * Seals what was written in clear before encryption at rest, a batch per transaction on the
 * platform path, until nothing is left or the run's share is done. Answers the rows sealed.
 */
export async function sealLegacyRows(db: Database, sealer: LegacySealer, batchSize: number, log?: Logger): Promise<SealCounts> {
  const total: SealCounts = { profile: 0, auth_request: 0, consent_decision: 0, oauth_login_code: 0 };
  const scope = platformScope('seal rows written before encryption at rest', { routine: true });
  const steps: Array<[keyof SealCounts, () => Promise<number>]> = [
    ['profile', () => sealer.sealProfiles(batchSize)],
    ['auth_request', () => sealer.sealRequests(batchSize)],
    ['consent_decision', () => sealer.sealNamed('consent_decision', batchSize)],
    ['oauth_login_code', () => sealer.sealNamed('oauth_login_code', batchSize)],
  ];
  for (const [table, step] of steps) {
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
      const sealed = await db.run(scope, step);
      total[table] += sealed;
      if (sealed < batchSize) break;
    }
  }
  if (Object.values(total).some((n) => n > 0)) {
    const left = await db.run(scope, () => sealer.countLeft());
    log?.info({ sealed: total, left }, 'sealed rows written before encryption at rest');
  }
  return total;
}

/** The upgrade job: scheduled on the maintenance queue; once everything is sealed a run is four index lookups. */
export function sealLegacyRowsJob(deps: { db: Database; sealer: LegacySealer; batchSize: number; everyMs: number }): JobHandler {
  return {
    queue: QUEUES.maintenance,
    name: JOBS.sealLegacyRows,
    payload: emptyPayload,
    schedule: { schedulerId: SCHEDULERS.sealLegacyRows, everyMs: deps.everyMs },
    run: async (_data, log) => void (await sealLegacyRows(deps.db, deps.sealer, deps.batchSize, log)),
  };
}
