import { Job, JobsOptions, Queue, Worker } from 'bullmq';
import { createRedisClient, disconnectRedis, RedisClient, RedisTarget } from '../shared/redis-client';
import { ZodType } from 'zod';
import type { Tracer } from '@opentelemetry/api';
import { Logger } from '../shared/logger';
import { inJobSpan, jobTelemetry, traceRedis } from '../observability/tracing';
import { maintenanceJobOptions, QueueName } from './queues';
import { moveStrandedJobs } from './move-stranded-jobs';

/**
 * One kind of job: which queue it runs on, how its data is checked, what it does, and, for
 * scheduled work, how often a job scheduler starts it.
 */
export interface JobHandler {
  queue: QueueName;
  name: string;
  payload: ZodType;
  run(data: unknown, log: Logger, jobs: JobQueues): Promise<unknown>;
  /** Starts it every this many milliseconds (a BullMQ job scheduler, upserted by `schedulerId`). */
  schedule?: { schedulerId: string; everyMs: number };
  /** Jobs of its queue run this many at once (the highest of the queue's handlers; 1 by default). */
  concurrency?: number;
}

/** Lets a job start other jobs (on queues of the worker role). */
export interface JobQueues {
  add(queue: QueueName, name: string, jobs: ReadonlyArray<{ data: object; opts?: JobsOptions }>): Promise<void>;
}

export interface WorkerDeps {
  redis: RedisTarget;
  /** The queues' key prefix, a hash tag (`{ids}`). */
  prefix: string;
  /** The prefix before it was a hash tag (`ids`), whose pending jobs are moved on start; none on a cluster, where the old keys could not have worked. */
  legacyPrefix?: string;
  handlers: readonly JobHandler[];
  log: Logger;
  /** Told of each attempt's end (the metrics' job outcomes and durations); must not throw. */
  observe?: (queue: QueueName, result: 'completed' | 'failed', seconds: number) => void;
  /** With tracing on: each job runs in a span that continues the trace of whoever added it. */
  tracer?: Tracer | null;
}

export interface RunningWorkers {
  /** Stops taking jobs, waits for the ones in flight, closes Redis connections. */
  close(): Promise<void>;
}

/**
 * Starts one BullMQ worker per queue of the worker role (one job at a time each) and registers
 * the repeatable schedules. Each job reaches the tables through Database.run, in transactions of
 * its own scope.
 */
export async function startWorkers(deps: WorkerDeps): Promise<RunningWorkers> {
  const log = deps.log.child({ component: 'worker' });
  const connection = createRedisClient(deps.redis, { maxRetriesPerRequest: null, lazyConnect: true });
  await connection.connect();
  connection.on('error', () => undefined); // reconnects by itself; the workers log the outage
  const tracer = deps.tracer ?? null;
  const telemetry = tracer ? { telemetry: jobTelemetry(tracer) } : {};
  if (tracer) traceRedis(connection, tracer);
  const queueNames = [...new Set(deps.handlers.map((h) => h.queue))];
  const queues: Queue[] = [];
  const queueByName = new Map<QueueName, Queue>();
  const jobQueues: JobQueues = {
    async add(queueName, name, jobs) {
      const queue = queueByName.get(queueName);
      if (!queue) throw new Error(`queue ${queueName} is not served by this worker role`);
      if (jobs.length > 0) await queue.addBulk(jobs.map((job) => ({ name, data: job.data, ...(job.opts ? { opts: job.opts } : {}) })));
    },
  };
  const workers: Worker[] = [];
  const connections: RedisClient[] = [connection];
  const schedules: Array<() => Promise<void>> = [];
  for (const queueName of queueNames) {
    const handlers = new Map(deps.handlers.filter((h) => h.queue === queueName).map((h) => [h.name, h]));
    const queue = new Queue(queueName, { connection, prefix: deps.prefix, ...telemetry });
    queues.push(queue);
    queueByName.set(queueName, queue);
    schedules.push(async () => {
      for (const handler of handlers.values()) {
        if (!handler.schedule) continue;
        await queue.upsertJobScheduler(handler.schedule.schedulerId, { every: handler.schedule.everyMs }, { name: handler.name, data: {}, opts: maintenanceJobOptions });
      }
    });
    // A Worker needs a connection of its own for blocking reads; we close it ourselves on stop.
    const workerConnection = connection.duplicate();
    connections.push(workerConnection);
    const worker = new Worker(
      queueName,
      async (job: Job) => {
        const started = process.hrtime.bigint();
        const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
        try {
          const handler = handlers.get(job.name);
          if (!handler) throw new Error(`unknown job ${job.name} on queue ${queueName}`);
          const run = () => handler.run(handler.payload.parse(job.data), log.child({ jobId: job.id, job: job.name }), jobQueues);
          const result = await (tracer ? inJobSpan(tracer, queueName, handler.name, run) : run());
          deps.observe?.(queueName, 'completed', seconds());
          return result;
        } catch (err) {
          deps.observe?.(queueName, 'failed', seconds());
          throw err;
        }
      },
      { connection: workerConnection, prefix: deps.prefix, ...telemetry, concurrency: Math.max(1, ...[...handlers.values()].map((h) => h.concurrency ?? 1)), autorun: true },
    );
    worker.on('failed', (job, err) => log.error({ err, jobId: job?.id, job: job?.name }, 'job failed'));
    // While Redis is away BullMQ reports each reconnection attempt; it reconnects by itself.
    worker.on('error', (err) => log.warn({ err: err.message, queue: queueName }, 'worker cannot reach Redis'));
    queue.on('error', (err) => log.warn({ err: err.message, queue: queueName }, 'queue cannot reach Redis'));
    workers.push(worker);
  }
  if (deps.legacyPrefix !== undefined && deps.legacyPrefix !== deps.prefix) {
    for (const queue of queues) {
      // Moving is a courtesy to an upgrade: a failure is reported, and the next start tries again.
      await moveStrandedJobs(connection, deps.legacyPrefix, queue, log).catch((err: unknown) => log.error({ err, queue: queue.name }, 'could not move jobs queued under the old queue prefix'));
    }
  }
  const upsertSchedules = async () => {
    for (const upsert of schedules) await upsert();
  };
  await upsertSchedules();
  // A Redis that comes back empty (restarted without persistence) has lost the schedulers: put them back.
  connection.on('ready', () => upsertSchedules().catch((err: unknown) => log.error({ err }, 'could not restore job schedulers')));
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  log.info({ queues: queueNames }, 'workers started');

  return {
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all(queues.map((q) => q.close()));
      // A connection that is not connected (Redis away, or reconnecting) cannot QUIT: it is dropped instead, so a stop always ends.
      await Promise.all(connections.map((c) => c.quit().then(() => undefined, () => disconnectRedis(c))));
      log.info('workers stopped');
    },
  };
}
