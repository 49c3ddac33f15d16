import { createRedisClient, disconnectRedis, RedisClient, RedisTarget } from '../shared/redis-client';
import { describeCause, redactUrl, StartupError } from '../shared/startup-error';

/** The command that starts a throwaway Redis where REDIS_URL points (its port; 6379 when the URL names none). */
export function redisStartHint(redisUrl: string): string {
  let port = '6379';
  try {
    port = new URL(redisUrl).port || port;
  } catch {
    // an unparsable URL keeps the default port in the hint; the error itself names the URL
  }
  return `start it with: redis-server --daemonize yes --bind 127.0.0.1 --port ${port} --save "" --appendonly no`;
}

/** Connects to Redis and checks it answers; a StartupError with a hint when it does not. */
export async function openRedis(target: RedisTarget): Promise<RedisClient> {
  // No offline queue: a readiness probe must fail at once while Redis is down, not wait for it.
  const redis = createRedisClient(target, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined); // reconnects on its own; readiness reports the outage
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    disconnectRedis(redis);
    throw new StartupError(`Redis is not reachable at ${redactUrl(target.url)} (${describeCause(err)}); ${redisStartHint(target.url)}`);
  }
  return redis;
}
