import { randomUUID } from 'node:crypto';
import { Job, Queue } from 'bullmq';
import { Logger } from '../shared/logger';
import { RedisClient } from '../shared/redis-client';

/** Jobs read and moved per round, so a long backlog never sits in memory at once. */
const MOVE_BATCH = 500;

/** How long a starter holds a queue's move; each round renews it, so only a starter that died lets it lapse. */
const LOCK_TTL_MS = 60_000;

/** The states of jobs still to run; finished ones stay behind as history. */
const PENDING_STATES = ['wait', 'paused', 'prioritized', 'delayed'] as const;

/** Keys holding a queue's jobs in any state, and its schedulers: while one exists, the old queue stays. */
const JOB_KEYS = ['wait', 'paused', 'active', 'prioritized', 'delayed', 'completed', 'failed', 'waiting-children', 'repeat'];

/** The keys of an empty queue (the ones BullMQ's obliterate deletes last). */
const QUEUE_KEYS = ['meta', 'id', 'events', 'marker', 'pc', 'delay', 'stalled', 'stalled-check', 'limiter', 'metrics:completed', 'metrics:completed:data', 'metrics:failed', 'metrics:failed:data'];

/** Only the starter that took the lock (its random token) releases or renews it. */
const RELEASE_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const RENEW_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

/** Deletes the queue's keys in one step, and only if no job key exists (an empty list or sorted set has no key). */
const DROP_IF_EMPTY = `for i = 1, tonumber(ARGV[1]) do if redis.call('EXISTS', KEYS[i]) == 1 then return 0 end end
redis.call('DEL', unpack(KEYS)) return 1`;

/**
 * Before issue 20 the queues' keys were `ids:<queue>:…`; now the prefix is a hash tag, `{ids}:<queue>:…`
 * (Redis Cluster). Jobs queued under the old keys by a release before it would wait there forever, and
 * not all of them are found again by a sweep (a back-channel logout notice is not). So each worker
 * start moves every pending job of `queue` from the old prefix to the new one, through BullMQ (add,
 * then remove), and drops the old job schedulers (the worker upserts its own under the new prefix).
 *
 * Safe with several starters and a rolling upgrade:
 * - one starter per queue moves, holding `<old prefix>:<queue>:move-lock` (SET NX PX, released only by
 *   its owner); another one skips the queue;
 * - while a worker of the old release still serves the old queue nothing is moved or deleted: the next
 *   worker start moves (the old worker runs those jobs meanwhile);
 * - a moved job always has a fixed id, its own or `legacy-<counter id>` (the new queue's counter starts
 *   again at 1, and BullMQ refuses integer ids of our choosing), so adding it twice (a crash between add
 *   and remove) adds it once;
 * - a job an old worker took between add and remove stays where it is (its copy is taken back if it has
 *   not started), and the move goes on with the others;
 * - the old queue's keys are deleted in one Lua step that first checks no job of any state is there, so
 *   a job an old API instance queues meanwhile is never deleted; otherwise the keys stay.
 * A job keeps its name, data, options, and a delayed job its due time. On a fresh install, or once the
 * old queue is gone, this is one EXISTS per queue.
 */
export async function moveStrandedJobs(connection: RedisClient, legacyPrefix: string, queue: Queue, log: Logger): Promise<number> {
  // Every BullMQ queue has a meta key and, once a job was added, an id counter: without either there is nothing to move.
  const oldKey = `${legacyPrefix}:${queue.name}`;
  if ((await connection.exists(`${oldKey}:meta`, `${oldKey}:id`)) === 0) return 0;
  const lockKey = `${oldKey}:move-lock`;
  const token = randomUUID();
  if ((await connection.set(lockKey, token, 'PX', LOCK_TTL_MS, 'NX')) !== 'OK') {
    log.info({ queue: queue.name }, 'another worker is moving the jobs queued under the old queue prefix');
    return 0;
  }
  const old = new Queue(queue.name, { connection, prefix: legacyPrefix });
  old.on('error', () => undefined);
  let moved = 0;
  try {
    if (await hasOldWorkers(old, log)) return 0;
    for (const scheduler of await old.getJobSchedulers()) if (scheduler.key) await old.removeJobScheduler(scheduler.key);
    const leftBehind = new Set<string>();
    for (;;) {
      const jobs = (await old.getJobs([...PENDING_STATES], 0, MOVE_BATCH - 1 + leftBehind.size, true)).filter((job): job is Job => job?.id !== undefined && !leftBehind.has(job.id));
      if (jobs.length === 0) break;
      for (const job of jobs) {
        const outcome = await moveJob(job, queue, log);
        if (outcome === 'moved') moved += 1;
        if (outcome === 'left') leftBehind.add(job.id!);
      }
      if ((await connection.eval(RENEW_LOCK, 1, lockKey, token, LOCK_TTL_MS)) !== 1) {
        log.warn({ queue: queue.name }, 'stopped moving jobs queued under the old queue prefix: the move took longer than its lock');
        return moved;
      }
    }
    // Nothing running and no history left to look at: the old queue's keys go too (else they stay, as history).
    if (leftBehind.size === 0 && !(await hasOldWorkers(old, log))) {
      const keys = [...JOB_KEYS, ...QUEUE_KEYS].map((key) => `${oldKey}:${key}`);
      await connection.eval(DROP_IF_EMPTY, keys.length, ...keys, JOB_KEYS.length);
    }
  } finally {
    await old.close();
    await connection.eval(RELEASE_LOCK, 1, lockKey, token);
    if (moved > 0) log.info({ queue: queue.name, moved }, 'moved jobs queued under the old queue prefix');
  }
  return moved;
}

async function hasOldWorkers(old: Queue, log: Logger): Promise<boolean> {
  // Where Redis does not list clients, BullMQ answers one placeholder: taken as a live worker, to be safe.
  const workers = await old.getWorkersCount();
  if (workers > 0) log.warn({ queue: old.name, workers }, 'workers of an older release still serve the old queue prefix: its jobs are moved at the next worker start after they stop');
  return workers > 0;
}

/** Adds `job` to `queue` (a scheduler's run is only dropped) and removes it from the old one, unless an old worker holds it. */
async function moveJob(job: Job, queue: Queue, log: Logger): Promise<'moved' | 'dropped' | 'left'> {
  // A scheduler's next run is not moved: the worker upserts its own schedulers under the new prefix.
  const isScheduled = job.repeatJobKey !== undefined || job.id!.startsWith('repeat:');
  const copy = isScheduled ? undefined : await queue.add(job.name, job.data, movedOptions(job));
  try {
    await job.remove();
  } catch (err) {
    if (copy?.id !== undefined) await queue.remove(copy.id).catch(() => 0);
    log.warn({ err, queue: queue.name, jobId: job.id }, 'left a job under the old queue prefix: it could not be removed (a worker of an older release holds it)');
    return 'left';
  }
  return copy === undefined ? 'dropped' : 'moved';
}

function movedOptions(job: Job): Job['opts'] {
  const { jobId: _jobId, delay: _delay, repeat: _repeat, repeatJobKey: _repeatJobKey, ...opts } = job.opts;
  const dueAt = job.timestamp + (job.opts.delay ?? 0);
  const delay = Math.max(0, dueAt - Date.now());
  const isCounterId = /^\d+$/.test(job.id!);
  return { ...opts, jobId: isCounterId ? `legacy-${job.id}` : job.id, ...(delay > 0 ? { delay } : {}) };
}
