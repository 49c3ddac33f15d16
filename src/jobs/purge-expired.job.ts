import { Logger } from '../shared/logger';
import { JobHandler } from './workers';
import { JOBS, purgeExpiredPayload, QUEUES, SCHEDULERS } from './queues';

/** One kind of expired row, owned by a feature, that the purge job removes. */
export interface Purger {
  name: string;
  /** Deletes at most `batchSize` expired rows and returns how many it deleted. */
  purge(batchSize: number): Promise<number>;
}

/** How many batches of one kind a single run deletes before leaving the rest to the next run. */
const MAX_BATCHES_PER_RUN = 100;

/**
 * Deletes expired rows of every kind in small batches (short transactions, no long locks), so a
 * large backlog is worked off over several runs instead of in one long statement.
 */
export async function purgeExpired(purgers: readonly Purger[], batchSize: number, log: Logger): Promise<Record<string, number>> {
  const removed: Record<string, number> = {};
  for (const purger of purgers) {
    let total = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
      const count = await purger.purge(batchSize);
      total += count;
      if (count < batchSize) break;
    }
    removed[purger.name] = total;
  }
  log.info({ removed }, 'purged expired rows');
  return removed;
}

/** The scheduled purge job of the maintenance queue. */
export function purgeExpiredJob(deps: { purgers: readonly Purger[]; batchSize: number; everyMs: number }): JobHandler {
  return {
    queue: QUEUES.maintenance,
    name: JOBS.purgeExpired,
    payload: purgeExpiredPayload,
    schedule: { schedulerId: SCHEDULERS.purgeExpired, everyMs: deps.everyMs },
    run: (_data, log) => purgeExpired(deps.purgers, deps.batchSize, log),
  };
}
