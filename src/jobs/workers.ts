import { Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { Logger } from '../shared/logger';
import { JOBS, maintenanceJobOptions, purgeExpiredPayload, QUEUES, SCHEDULERS } from './queues';
import { purgeExpired, Purger } from './purge-expired.job';

export interface WorkerDeps {
  redisUrl: string;
  prefix: string;
  purgers: readonly Purger[];
  purgeIntervalSeconds: number;
  purgeBatchSize: number;
  log: Logger;
}

export interface RunningWorkers {
  /** Stops taking jobs, waits for the ones in flight, closes Redis connections. */
  close(): Promise<void>;
}

/** Starts the BullMQ workers of the worker role and registers the repeatable schedules. */
export async function startWorkers(deps: WorkerDeps): Promise<RunningWorkers> {
  const log = deps.log.child({ component: 'worker' });
  const connection = new Redis(deps.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  await connection.connect();
  const maintenance = new Queue(QUEUES.maintenance, { connection, prefix: deps.prefix });
  await maintenance.upsertJobScheduler(
    SCHEDULERS.purgeExpired,
    { every: deps.purgeIntervalSeconds * 1000 },
    { name: JOBS.purgeExpired, data: {}, opts: maintenanceJobOptions },
  );

  // The Worker needs a connection of its own for blocking reads; we close it ourselves on stop.
  const workerConnection = connection.duplicate();
  const worker = new Worker(
    QUEUES.maintenance,
    async (job: Job) => {
      // Each job reaches the tables through Database.run, in transactions of its own scope.
      switch (job.name) {
        case JOBS.purgeExpired:
          purgeExpiredPayload.parse(job.data);
          return purgeExpired(deps.purgers, deps.purgeBatchSize, log.child({ jobId: job.id }));
        default:
          throw new Error(`unknown job ${job.name}`);
      }
    },
    { connection: workerConnection, prefix: deps.prefix, concurrency: 1, autorun: true },
  );
  worker.on('failed', (job, err) => log.error({ err, jobId: job?.id, job: job?.name }, 'job failed'));
  await worker.waitUntilReady();
  log.info({ queues: [QUEUES.maintenance] }, 'workers started');

  return {
    async close() {
      await worker.close();
      await maintenance.close();
      await workerConnection.quit();
      await connection.quit();
      log.info('workers stopped');
    },
  };
}
