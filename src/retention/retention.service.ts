import { EntityManager } from '@mikro-orm/postgresql';
import { Database, platformScope } from '../db/scope';
import { JOBS } from '../jobs/queues';
import { Clock } from '../shared/clock';
import { Logger, safeErrorMessage } from '../shared/logger';
import { afterCursor, checkPageSize, Page, toPage } from '../shared/pagination';
import { PurgeRun } from './purge-run.entity';

/** One kind of expired row, owned by a feature, that the purge job removes. */
export interface Purger {
  /** The kind, named after its table; the key of its count in `purge_run.removed`. */
  name: string;
  /** Deletes at most `batchSize` expired rows in one transaction of its own and returns how many it deleted. */
  purge(batchSize: number): Promise<number>;
}

/** How many batches of one kind a single run deletes before leaving the rest to the next run. */
export const MAX_BATCHES_PER_RUN = 100;

export interface PurgeRunResult {
  id: string;
  removed: Record<string, number>;
  failures: Record<string, string>;
}

export interface RetentionDeps {
  db: Database;
  em: EntityManager;
  clock: Clock;
  purgers: readonly Purger[];
  /** Rows one purge statement removes at most (PURGE_BATCH_SIZE). */
  batchSize: number;
}

/** Runs the retention purges and keeps the record of every run. */
export class RetentionService {
  constructor(private readonly deps: RetentionDeps) {}

  get purgers(): readonly Purger[] {
    return this.deps.purgers;
  }

  /**
   * Deletes expired rows of every kind in small batches (short transactions, no long locks); a kind
   * removes at most MAX_BATCHES_PER_RUN batches and leaves the rest to the next run. A kind that
   * fails is recorded as failed and the others still run. The run is recorded in `purge_run`.
   */
  async purgeExpired(log: Logger, purgers: readonly Purger[] = this.deps.purgers): Promise<PurgeRunResult> {
    const { batchSize, clock } = this.deps;
    const startedAt = clock.now();
    const removed: Record<string, number> = {};
    const failures: Record<string, string> = {};
    for (const purger of purgers) {
      let total = 0;
      try {
        for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
          const count = await purger.purge(batchSize);
          total += count;
          if (count < batchSize) break;
        }
      } catch (err) {
        // Stored and shown through GraphQL: never a statement with its values.
        failures[purger.name] = safeErrorMessage(err);
        log.error({ err, kind: purger.name }, 'purge of one kind failed; the others continue');
      }
      // Batches committed before a failure stay removed, so they count.
      removed[purger.name] = total;
    }
    const run = Object.assign(new PurgeRun(), { job: JOBS.purgeExpired, startedAt, finishedAt: clock.now(), removed, failures });
    await this.deps.db.run(platformScope('record purge run', { routine: true }), async () => {
      await this.deps.em.persist(run).flush();
    });
    log.info({ removed, failures, runId: run.id }, 'purged expired rows');
    return { id: run.id, removed, failures };
  }

  /** Recorded runs, newest first, cursor-paginated (platform path only: the table is platform data). */
  async listRuns(first: number, after: string | null | undefined): Promise<Page<PurgeRun>> {
    checkPageSize(first);
    const rows = await this.deps.em.find(PurgeRun, afterCursor(after, 'startedAt', 'desc'), { orderBy: { startedAt: 'desc', id: 'desc' }, limit: first + 1 });
    // The cursor is (startedAt, id), the order of the list.
    const page = toPage(rows.map((run) => ({ createdAt: run.startedAt, id: run.id, run })), first);
    return { ...page, items: page.items.map((item) => item.run) };
  }
}
