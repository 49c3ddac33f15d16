import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { maintenanceJobOptions, QueueName } from './queues';

/** Adds jobs to queues from the API role. */
export interface JobProducer {
  /** Adds a job with `jobId` (BullMQ ignores a second one with the same id). Fails fast while Redis is down. */
  add(queue: QueueName, name: string, data: Record<string, unknown>, jobId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A producer on a connection of its own without an offline queue, so that while Redis is down an
 * `add` fails at once instead of holding a request until Redis returns; work that must not be
 * lost is also found in PostgreSQL by a scheduled sweep.
 */
export function createJobProducer(redisUrl: string, prefix: string): JobProducer {
  const connection = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  connection.on('error', () => undefined); // reconnects by itself; a failed add is reported by its caller
  const queues = new Map<QueueName, Queue>();
  const queueOf = (name: QueueName) => {
    let queue = queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection, prefix });
      queue.on('error', () => undefined);
      queues.set(name, queue);
    }
    return queue;
  };
  return {
    async add(queue, name, data, jobId) {
      await queueOf(queue).add(name, data, { ...maintenanceJobOptions, jobId });
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
      connection.disconnect();
    },
  };
}
