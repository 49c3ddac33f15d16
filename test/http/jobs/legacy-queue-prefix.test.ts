import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { App } from '../../../src/app';
import { JOBS, QUEUES } from '../../../src/jobs/queues';
import { moveStrandedJobs } from '../../../src/jobs/move-stranded-jobs';
import { createLogger } from '../../../src/shared/logger';
import { startPublicTestApp } from '../../support/app';
import { testQueuePrefix, TEST_REDIS_URL } from '../../support/env';
import { waitUntil } from '../../support/wait';

/**
 * Issue 20 put the queue prefix in a hash tag (`ids:<queue>:…` became `{ids}:<queue>:…`). Jobs an
 * older release queued under the old keys are moved on worker start, so none is stranded.
 */
describe('jobs queued under the queue prefix of before issue 20', () => {
  let redis: Redis;
  const queues: Queue[] = [];
  const log = createLogger('silent');

  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  });
  afterEach(async () => {
    for (const queue of queues.splice(0)) {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
  afterAll(() => redis.quit());

  function queue(name: string, prefix: string): Queue {
    const q = new Queue(name, { connection: redis, prefix });
    queues.push(q);
    return q;
  }

  it('moves waiting, prioritized and delayed jobs with their data, ids and due times and drops the old schedulers', async () => {
    const prefix = `${testQueuePrefix()}-legacy-${randomUUID().slice(0, 8)}`;
    const old = queue(QUEUES.erasure, prefix);
    const current = queue(QUEUES.erasure, `{${prefix}}`);
    const payload = { deletionRequestId: randomUUID() };
    await old.add(JOBS.processDeletionRequest, payload, { jobId: `deletion-${payload.deletionRequestId}`, attempts: 5 });
    await old.add(JOBS.processDeletionRequest, { deletionRequestId: randomUUID() }, { priority: 3 });
    const dueAt = Date.now() + 60 * 60_000;
    await old.add(JOBS.processDeletionRequest, { deletionRequestId: randomUUID() }, { jobId: 'later', delay: dueAt - Date.now() });
    await old.upsertJobScheduler('old-sweep', { every: 60_000 }, { name: JOBS.sweepDeletionRequests, data: {} });
    // The new queue's own counter starts at 1 too: a moved counter id must not take its place.
    const own = await current.add(JOBS.sweepDeletionRequests, {});
    expect(own.id).toBe('1');

    expect(await moveStrandedJobs(redis, prefix, current, log)).toBe(3);

    expect(await old.getJobCounts('wait', 'prioritized', 'delayed', 'paused')).toEqual({ wait: 0, prioritized: 0, delayed: 0, paused: 0 });
    expect(await old.getJobSchedulers()).toEqual([]);
    const moved = await current.getJob(`deletion-${payload.deletionRequestId}`);
    expect(moved).toMatchObject({ name: JOBS.processDeletionRequest, data: payload, opts: expect.objectContaining({ attempts: 5 }) });
    const later = await current.getJob('later');
    expect(await later!.getState()).toBe('delayed');
    expect(Math.abs(later!.timestamp + later!.delay - dueAt)).toBeLessThan(5_000);
    const all = await current.getJobs(['wait', 'prioritized', 'delayed']);
    expect(all).toHaveLength(4);
    expect((await current.getJob('1'))!.name).toBe(JOBS.sweepDeletionRequests);
    // A counter id gets a fixed id of its own, so a repeated add (a crash between add and remove) is a no-op.
    expect(all.find((job) => job.opts.priority === 3)?.id).toBe('legacy-2');

    // Nothing was left behind, so the old queue's keys are gone; the next worker start finds nothing to move or double.
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
    expect(await moveStrandedJobs(redis, prefix, current, log)).toBe(0);
    expect(await current.getJobs(['wait', 'prioritized', 'delayed'])).toHaveLength(4);
  });

  it('adds a job whose copy is already there (a move that stopped between add and remove) once', async () => {
    const prefix = `${testQueuePrefix()}-legacy-${randomUUID().slice(0, 8)}`;
    const old = queue(QUEUES.erasure, prefix);
    const current = queue(QUEUES.erasure, `{${prefix}}`);
    const payload = { deletionRequestId: randomUUID() };
    expect((await old.add(JOBS.processDeletionRequest, payload)).id).toBe('1');
    await current.add(JOBS.processDeletionRequest, payload, { jobId: 'legacy-1' });

    await moveStrandedJobs(redis, prefix, current, log);

    expect((await current.getJobs(['wait'])).map((job) => [job.id, job.data])).toEqual([['legacy-1', payload]]);
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
  });

  it('moves each job once when two workers start at the same time', async () => {
    const prefix = `${testQueuePrefix()}-legacy-${randomUUID().slice(0, 8)}`;
    const old = queue(QUEUES.erasure, prefix);
    const ids = Array.from({ length: 40 }, () => randomUUID());
    for (const [i, deletionRequestId] of ids.entries()) await old.add(JOBS.processDeletionRequest, { deletionRequestId }, i % 4 === 0 ? { jobId: `deletion-${deletionRequestId}` } : {});
    const other = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    try {
      const current = queue(QUEUES.erasure, `{${prefix}}`);
      const alsoCurrent = new Queue(QUEUES.erasure, { connection: other, prefix: `{${prefix}}` });
      const moved = await Promise.all([moveStrandedJobs(redis, prefix, current, log), moveStrandedJobs(other, prefix, alsoCurrent, log)]);
      await alsoCurrent.close();

      expect(moved[0] + moved[1]).toBe(ids.length);
      const all = await current.getJobs(['wait']);
      expect(all.map((job) => (job.data as { deletionRequestId: string }).deletionRequestId).sort()).toEqual([...ids].sort());
      expect(await redis.keys(`${prefix}:*`)).toEqual([]);
    } finally {
      await other.quit();
    }
  });

  it('moves and deletes nothing while a worker of the older release still serves the old queue', async () => {
    const prefix = `${testQueuePrefix()}-legacy-${randomUUID().slice(0, 8)}`;
    const old = queue(QUEUES.erasure, prefix);
    const current = queue(QUEUES.erasure, `{${prefix}}`);
    await old.add(JOBS.processDeletionRequest, { deletionRequestId: randomUUID() }, { jobId: 'later', delay: 60 * 60_000 });
    const oldWorker = new Worker(QUEUES.erasure, async () => undefined, { connection: redis, prefix });
    try {
      await waitUntil('the old worker to be listed', async () => (await old.getWorkersCount()) > 0);

      expect(await moveStrandedJobs(redis, prefix, current, log)).toBe(0);

      expect(await current.getJobCounts('wait', 'prioritized', 'delayed', 'paused')).toEqual({ wait: 0, prioritized: 0, delayed: 0, paused: 0 });
      expect(await (await old.getJob('later'))?.getState()).toBe('delayed');
      expect(await redis.exists(`${prefix}:${QUEUES.erasure}:meta`)).toBe(1);
    } finally {
      await oldWorker.close();
    }
    // Once the older release is gone, the next worker start moves the job.
    await waitUntil('the old worker to be gone', async () => (await old.getWorkersCount()) === 0);
    expect(await moveStrandedJobs(redis, prefix, current, log)).toBe(1);
    expect(await (await current.getJob('later'))?.getState()).toBe('delayed');
  });

  it('leaves a job a worker holds where it is and moves the others', async () => {
    const prefix = `${testQueuePrefix()}-legacy-${randomUUID().slice(0, 8)}`;
    const old = queue(QUEUES.erasure, prefix);
    const current = queue(QUEUES.erasure, `{${prefix}}`);
    await old.add(JOBS.processDeletionRequest, { deletionRequestId: randomUUID() }, { jobId: 'held' });
    await old.add(JOBS.processDeletionRequest, { deletionRequestId: randomUUID() }, { jobId: 'free' });
    // What an old-release worker that took the job between add and remove leaves: its lock on the job.
    await redis.set(`${prefix}:${QUEUES.erasure}:held:lock`, 'an-old-worker', 'PX', 60_000);

    expect(await moveStrandedJobs(redis, prefix, current, log)).toBe(1);

    expect((await current.getJobs(['wait'])).map((job) => job.id)).toEqual(['free']);
    expect(await old.getJob('held')).toBeDefined();
    expect(await redis.exists(`${prefix}:${QUEUES.erasure}:meta`)).toBe(1);
  });

  it('leaves no key under the old prefix on a fresh install', async () => {
    const prefix = `${testQueuePrefix()}-legacy-${randomUUID().slice(0, 8)}`;
    expect(await moveStrandedJobs(redis, prefix, queue(QUEUES.audit, `{${prefix}}`), log)).toBe(0);
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
  });

  it('has the worker role run a job an older release queued under the old prefix', async () => {
    const prefix = `${testQueuePrefix()}-legacy-${randomUUID().slice(0, 8)}`;
    await queue(QUEUES.exports, prefix).add(JOBS.sweepProfileExports, {}, { jobId: 'queued-by-the-old-release' });
    const current = queue(QUEUES.exports, `{${prefix}}`);
    let worker: App | undefined;
    try {
      worker = await startPublicTestApp({ ROLE: 'worker', QUEUE_PREFIX: prefix, EXPORT_SWEEP_INTERVAL_SECONDS: '3600' });
      await waitUntil('the moved job to complete under the new prefix', async () => (await (await current.getJob('queued-by-the-old-release'))?.getState()) === 'completed', { timeoutMs: 10_000 });
    } finally {
      await worker?.stop();
    }
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
  });
});
