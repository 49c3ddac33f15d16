import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { App } from '../../../src/app';
import { startPublicTestApp } from '../../support/app';
import { boardApi, signInToBoard } from '../../support/admin-board';
import { TEST_REDIS_URL, testQueuePrefix } from '../../support/env';
import { operatorToken } from '../../support/operators';
import { regionDatabases } from '../../support/regions';

const PREFIX = `${testQueuePrefix()}-admin-regions-${randomUUID()}`;

/** With several regions the board shows each region's queues, named by region, and acts on that region's. */
describe('queue board over two regions', () => {
  let app: App;
  let url: string;
  let drop: () => Promise<void>;
  let redis: Redis;

  beforeAll(async () => {
    const made = await regionDatabases(['EU', 'NA']);
    drop = made.drop;
    app = await startPublicTestApp({ ...made.env, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', QUEUE_PREFIX: PREFIX });
    url = new URL(app.config.PUBLIC_URL).origin;
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  }, 120_000);
  afterAll(async () => {
    redis?.disconnect();
    await app?.stop();
    await drop?.();
  });

  it('lists every queue of both regions as {region}.{queue}, and pauses only the region named', async () => {
    const { session } = await signInToBoard(url, await operatorToken(app, 'OWNER', null));
    const res = await boardApi(url, session, '/queues');
    expect(res.status).toBe(200);
    const names = ((await res.json()) as { queues: Array<{ name: string }> }).queues.map((q) => q.name);
    for (const region of ['EU', 'NA']) {
      for (const queue of ['audit', 'erasure', 'webhook-delivery']) expect(names).toContain(`${region}.${queue}`);
    }
    expect(names).toHaveLength(14);

    const paused = await boardApi(url, session, '/queues/NA.erasure/pause', { method: 'PUT', headers: { origin: url } });
    expect(paused.status).toBe(200);
    const na = new Queue('erasure', { connection: redis, prefix: app.regions.find((c) => c.region === 'NA')!.config.QUEUE_PREFIX });
    const eu = new Queue('erasure', { connection: redis, prefix: app.regions.find((c) => c.region === 'EU')!.config.QUEUE_PREFIX });
    try {
      expect([await na.isPaused(), await eu.isPaused()]).toEqual([true, false]);
    } finally {
      await na.close();
      await eu.close();
    }
  });
});
