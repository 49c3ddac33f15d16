import { rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { TEST_REDIS_URL } from './env';

/** Removes this run's dashboard build, drops this run's databases (the migrated one and each worker's copy) and deletes this run's Redis keys. */
export default async function globalTeardown(): Promise<void> {
  const dashboardDir = process.env.IDS_TEST_DASHBOARD_DIR;
  if (dashboardDir) rmSync(dashboardDir, { recursive: true, force: true });
  const url = process.env.IDS_TEST_DATABASE_URL;
  if (url) {
    const run = decodeURIComponent(new URL(url).pathname.slice(1));
    const admin = new URL(url);
    admin.pathname = '/postgres';
    const client = new Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      const rows = (await client.query<{ datname: string }>(`select datname from pg_database where datname = $1 or datname like $2`, [run, `${run}\\_w%`])).rows;
      for (const { datname } of rows) await client.query(`drop database if exists "${datname}" with (force)`);
    } finally {
      await client.end();
    }
  }
  const prefix = process.env.IDS_TEST_QUEUE_PREFIX;
  if (!prefix) return;
  const redis = new Redis(TEST_REDIS_URL);
  try {
    // Every queue prefix of the run (each worker's, and the ones tests derive from them).
    // Queue keys carry the prefix as a hash tag (`{prefix}:…`), the other keys bare or in a tag of their own.
    for (const pattern of [`${prefix}*`, `{${prefix}*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}
