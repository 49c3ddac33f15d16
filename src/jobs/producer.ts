import { Queue } from 'bullmq';
import { createRedisClient, disconnectRedis, RedisTarget } from '../shared/redis-client';
import type { Tracer } from '@opentelemetry/api';
import { jobTelemetry, traceRedis } from '../observability/tracing';
import { maintenanceJobOptions, QueueName } from './queues';

/**
 * How long an `add` may take. BullMQ waits for a connection that is down to come back, even
 * without an offline queue, so without this a request would hang for the whole outage.
 */
const ADD_TIMEOUT_MS = 1000;

/** Adds jobs to queues from the API role. */
export interface JobProducer {
  /** Adds a job with `jobId` (BullMQ ignores a second one with the same id). Fails fast while Redis is down. */
  add(queue: QueueName, name: string, data: Record<string, unknown>, jobId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A producer on a connection of its own without an offline queue, so that while Redis is down an
 * `add` fails within ADD_TIMEOUT_MS instead of holding a request until Redis returns; work that
 * must not be lost is also found in PostgreSQL by a scheduled sweep. (An `add` that timed out may
 * still land once Redis is back; job ids make that harmless.) With a tracer, each job carries the
 * trace context of the request that added it (BullMQ telemetry).
 */
export function createJobProducer(redis: RedisTarget, prefix: string, tracer: Tracer | null = null): JobProducer {
  const connection = createRedisClient(redis, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  const telemetry = tracer ? jobTelemetry(tracer) : undefined;
  if (tracer) traceRedis(connection, tracer);
  connection.on('error', () => undefined); // reconnects by itself; a failed add is reported by its caller
  const queues = new Map<QueueName, Queue>();
  const queueOf = (name: QueueName) => {
    let queue = queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection, prefix, ...(telemetry ? { telemetry } : {}) });
      queue.on('error', () => undefined);
      queues.set(name, queue);
    }
    return queue;
  };
  return {
    async add(queue, name, data, jobId) {
      await withTimeout(queueOf(queue).add(name, data, { ...maintenanceJobOptions, jobId }), ADD_TIMEOUT_MS, 'Redis did not take the job in time');
    },
    async close() {
      // While Redis is down BullMQ would wait for it to close a queue: give up after a while.
      await withTimeout(Promise.all([...queues.values()].map((q) => q.close())), ADD_TIMEOUT_MS, 'queues did not close').catch(() => undefined);
      disconnectRedis(connection);
    },
  };
}

function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
