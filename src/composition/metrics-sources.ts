import { Queue } from 'bullmq';
import { platformScope } from '../db/scope';
import { ormPoolUsage, sqlPoolUsage } from '../db/pool-usage';
import { QUEUES } from '../jobs/queues';
import { QUEUE_STATES, RegionScrapeSources } from '../observability/metrics';
import type { RegionCell } from './open-region-cell';

/** How long a scrape waits for Redis before leaving the queue series out. */
const QUEUE_COUNT_TIMEOUT_MS = 2000;

/**
 * What the metrics read of one region on scrape: its queues' job counts (on the region's Redis
 * connection, which fails fast while Redis is down), its audit outbox backlog (one statement on the
 * platform path: the outbox holds every customer's rows and row-level security applies), and its
 * four pools: the ORM's as ids_app and ids_platform, the login path's and the platform path's plain ones.
 */
export function regionScrapeSources(cell: RegionCell): RegionScrapeSources {
  let queues: Queue[] | null = null;
  const queuesOf = () =>
    (queues ??= Object.values(QUEUES).map((name) => {
      const queue = new Queue(name, { connection: cell.redis, prefix: cell.config.QUEUE_PREFIX });
      queue.on('error', () => undefined);
      return queue;
    }));
  return {
    region: cell.region,
    queueCounts: () =>
      withTimeout(
        Promise.all(queuesOf().map(async (queue) => ({ queue: queue.name, counts: await queue.getJobCounts(...QUEUE_STATES) }))),
        QUEUE_COUNT_TIMEOUT_MS,
      ),
    outboxBacklog: () => cell.db.run(platformScope('metrics: audit outbox backlog', { routine: true }), () => cell.services.audit.outboxBacklog()),
    // One statement on the platform path, over every customer's requests (row-level security applies otherwise).
    overduePrivacyRequests: () => cell.db.run(platformScope('metrics: overdue privacy requests', { routine: true }), () => cell.services.privacyRequests.overdueCount()),
    pools: [
      { name: 'app', usage: () => ormPoolUsage(cell.orm) },
      { name: 'platform', usage: () => ormPoolUsage(cell.platformOrm) },
      { name: 'login', usage: () => sqlPoolUsage(cell.pool) },
      { name: 'platform_sql', usage: () => sqlPoolUsage(cell.platformPool) },
    ],
    async close() {
      // The connection is the region's own (closed with it): a queue only lets go of it.
      await withTimeout(Promise.all((queues ?? []).map((q) => q.close())), QUEUE_COUNT_TIMEOUT_MS).catch(() => undefined);
    },
  };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
