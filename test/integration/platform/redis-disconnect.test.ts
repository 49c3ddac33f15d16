import { createRedisClient, disconnectRedis } from '../../../src/shared/redis-client';
import { startPrivateRedis } from '../../support/redis-server';
import { waitUntil } from '../../support/wait';

/** The timers that keep this process alive (unref'd ones are not listed). */
const liveTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('disconnectRedis', () => {
  it('leaves no timer holding the process when Redis went away before the service stops', async () => {
    const redis = await startPrivateRedis();
    const client = createRedisClient({ url: redis.url, isCluster: false }, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    client.on('error', () => undefined);
    let isClosed = false;
    try {
      await client.connect();
      await redis.stop();
      await waitUntil('the client to wait for Redis to come back', () => client.status === 'reconnecting');
      const before = liveTimers();
      disconnectRedis(client);
      isClosed = true;
      // Its timer to reconnect is gone, and nothing took its place (ioredis's own disconnect
      // would have armed a 2 s one on the socket closed before).
      expect(liveTimers()).toBe(before - 1);
    } finally {
      if (!isClosed) client.disconnect();
      await redis.stop();
    }
  });

  it('closes a live connection', async () => {
    const redis = await startPrivateRedis();
    const client = createRedisClient({ url: redis.url, isCluster: false }, { lazyConnect: true, maxRetriesPerRequest: 1 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      expect(await client.ping()).toBe('PONG');
      const ended = new Promise((resolve) => client.once('end', resolve));
      disconnectRedis(client);
      await ended;
      expect(client.status).toBe('end');
    } finally {
      await redis.stop();
    }
  });
});
