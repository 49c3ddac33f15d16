import { Redis } from 'ioredis';
import { dropDatabase } from '../../src/db';
import { TEST_REDIS_URL, testQueuePrefix } from './env';

/** Drops this run's database and deletes this run's Redis keys. */
export default async function globalTeardown(): Promise<void> {
  const url = process.env.IDS_TEST_DATABASE_URL;
  if (url) await dropDatabase(url);
  const redis = new Redis(TEST_REDIS_URL);
  try {
    const keys = await redis.keys(`${testQueuePrefix()}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}
