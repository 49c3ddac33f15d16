import { createRedisClient, RedisClient, RedisTarget } from '../shared/redis-client';
import { describeCause, redactUrl, StartupError } from '../shared/startup-error';

const REDIS_HINT = 'start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no';

/** Connects to Redis and checks it answers; a StartupError with a hint when it does not. */
export async function openRedis(target: RedisTarget): Promise<RedisClient> {
  // No offline queue: a readiness probe must fail at once while Redis is down, not wait for it.
  const redis = createRedisClient(target, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined); // reconnects on its own; readiness reports the outage
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new StartupError(`Redis is not reachable at ${redactUrl(target.url)} (${describeCause(err)}); ${REDIS_HINT}`);
  }
  return redis;
}
