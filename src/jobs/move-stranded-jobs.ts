import { Job, Queue } from 'bullmq';
import { Logger } from '../shared/logger';
import { RedisClient } from '../shared/redis-client';

/** Jobs read and moved per round, so a long backlog never sits in memory at once. */
const MOVE_BATCH = 500;

/** The states of jobs still to run; finished ones stay behind as history. */
const PENDING_STATES = ['wait', 'paused', 'prioritized', 'delayed'] as const;

/**
 * Before issue 20 the queues' keys were `ids:<queue>:…`; now the prefix is a hash tag, `{ids}:<queue>:…`
 * (Redis Cluster). Jobs queued under the old keys by a release before it would wait there forever, and
 * not all of them are found again by a sweep (a back-channel logout notice is not). So each worker
 * start moves every pending job of `queue` from the old prefix to the new one, through BullMQ (add,
 * then remove), and drops the old job schedulers (the worker upserts its own under the new prefix).
 *
 * A job keeps its name, data, options and, when it has one of our choosing, its id; a delayed job its
 * due time. A job moved twice (a crash between add and remove) is added once, as job ids are unique;
 * counter ids ("17") are left for the new queue to assign, as its own counter starts again at 1.
 * On a fresh install, or once the old queue is gone, this is one EXISTS per queue.
 */
export async function moveStrandedJobs(connection: RedisClient, legacyPrefix: string, queue: Queue, log: Logger): Promise<number> {
  // Every BullMQ queue has a meta key and, once a job was added, an id counter: without either there is nothing to move.
  const oldKey = `${legacyPrefix}:${queue.name}`;
  if ((await connection.exists(`${oldKey}:meta`, `${oldKey}:id`)) === 0) return 0;
  const old = new Queue(queue.name, { connection, prefix: legacyPrefix });
  old.on('error', () => undefined);
  let moved = 0;
  try {
    for (const scheduler of await old.getJobSchedulers()) if (scheduler.key) await old.removeJobScheduler(scheduler.key);
    for (;;) {
      const jobs = (await old.getJobs([...PENDING_STATES], 0, MOVE_BATCH - 1, true)).filter((job): job is Job => job !== undefined);
      if (jobs.length === 0) break;
      for (const job of jobs) {
        if (!job.repeatJobKey && !job.id?.startsWith('repeat:')) {
          await queue.add(job.name, job.data, movedOptions(job));
          moved += 1;
        }
        await job.remove();
      }
    }
    // Nothing running and no history left to look at: the old queue's keys go too (else they stay, as history).
    const left = Object.values(await old.getJobCounts()).reduce((sum, n) => sum + n, 0);
    if (left === 0) await old.obliterate();
  } finally {
    await old.close();
  }
  if (moved > 0) log.info({ queue: queue.name, moved }, 'moved jobs queued under the old queue prefix');
  return moved;
}

function movedOptions(job: Job): Job['opts'] {
  const { jobId: _jobId, delay: _delay, repeat: _repeat, repeatJobKey: _repeatJobKey, ...opts } = job.opts;
  const dueAt = job.timestamp + (job.opts.delay ?? 0);
  const delay = Math.max(0, dueAt - Date.now());
  const isCounterId = job.id === undefined || /^\d+$/.test(job.id);
  return { ...opts, ...(isCounterId ? {} : { jobId: job.id }), ...(delay > 0 ? { delay } : {}) };
}
