import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { JOBS, QUEUES } from '../../../src/jobs/queues';
import { ownerSql, resetDatabase } from '../../support/app';
import { testEnv } from '../../support/config';
import { TEST_REDIS_URL } from '../../support/env';
import { ensureStopped, ServiceProcess, spawnService } from '../../support/process';
import { waitUntil } from '../../support/wait';

/** A customer with `expired` keys past their grace period and `live` keys still valid. */
async function seedKeys(expired: number, live: number): Promise<string> {
  const customerId = randomUUID();
  await ownerSql(
    `insert into customer (id, slug, name, verify_url, region, prompt_policy, created_at, updated_at)
     values (?, ?, 'Purge Test', 'https://aw.example.com/verify', 'EU', 'PROMPT', now(), now())`,
    [customerId, `purge-${customerId.slice(0, 8)}`],
  );
  await ownerSql(
    `insert into customer_api_key (id, customer_id, key_hash, created_at, expires_at)
     select gen_random_uuid(), ?, md5(random()::text || g::text) || md5(g::text), now(), now() - interval '1 minute'
     from generate_series(1, ?) g`,
    [customerId, expired],
  );
  await ownerSql(
    `insert into customer_api_key (id, customer_id, key_hash, created_at, expires_at)
     select gen_random_uuid(), ?, md5(random()::text || g::text || 'live') || md5(g::text), now(), case when g = 1 then null else now() + interval '1 day' end
     from generate_series(1, ?) g`,
    [customerId, live],
  );
  return customerId;
}

/** Expired and live OpenID associations and used nonces for `customerId`. */
async function seedOpenidRows(customerId: string): Promise<void> {
  for (const [suffix, interval] of [['old', '-1 minute'], ['new', '+1 hour']] as const) {
    await ownerSql(
      `insert into openid_association (customer_id, handle, assoc_type, secret, is_private, issued_at, expires_at)
       select ?, '{HMAC-SHA256}{0}{' || ? || g || '}', 'HMAC-SHA256', '\\x00', g % 2 = 0, now(), now() + ?::interval from generate_series(1, 4) g`,
      [customerId, suffix, interval],
    );
    await ownerSql(
      `insert into openid_nonce (customer_id, nonce, expires_at) select ?, '2026-01-01T00:00:00Z' || ? || g, now() + ?::interval from generate_series(1, 6) g`,
      [customerId, suffix, interval],
    );
  }
}

async function countOpenidRows(): Promise<Record<string, number>> {
  const [row] = await ownerSql(
    `select (select count(*) from openid_association)::int as associations, (select count(*) from openid_nonce)::int as nonces,
            (select count(*) from openid_association where expires_at <= now())::int + (select count(*) from openid_nonce where expires_at <= now())::int as expired`,
  );
  return row as Record<string, number>;
}

async function countKeys(): Promise<{ expired: number; live: number }> {
  const [row] = await ownerSql(
    `select count(*) filter (where expires_at <= now())::int as expired, count(*) filter (where expires_at is null or expires_at > now())::int as live from customer_api_key`,
  );
  return row as { expired: number; live: number };
}

describe('the worker role', () => {
  let proc: ServiceProcess | undefined;
  let prefix: string;
  let queue: Queue;
  let redis: Redis;

  beforeEach(async () => {
    await resetDatabase();
    prefix = `ids-test-worker-${randomUUID().slice(0, 8)}`;
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue(QUEUES.maintenance, { connection: redis, prefix: `{${prefix}}` });
  });
  afterEach(async () => {
    await ensureStopped(proc);
    proc = undefined;
    await queue.obliterate({ force: true });
    await queue.close();
    redis.disconnect();
  });

  it('runs the scheduled purge from Redis and removes exactly the expired rows', async () => {
    const customerId = await seedKeys(25, 3);
    await seedOpenidRows(customerId);
    proc = spawnService(testEnv({ ROLE: 'worker', QUEUE_PREFIX: prefix, LOG_LEVEL: 'info', PURGE_INTERVAL_SECONDS: '1', PURGE_BATCH_SIZE: '10' }));
    const done = await proc.waitForLog((e) => e.msg === 'purged expired rows');
    expect(done.removed).toEqual({ customer_api_key: 25, openid_association: 4, openid_nonce: 6, oauth_access_token: 0, oauth_login_code: 0, oidc_code: 0, oauth_refresh_token: 0, oidc_signing_key: 0, auth_request: 0, sign_in_hour_count: 0, audit_outbox: 0, profile_export: 0, webhook_delivery: 0 });
    expect(done.failures).toEqual({});
    expect(await countKeys()).toEqual({ expired: 0, live: 3 });
    expect(await countOpenidRows()).toEqual({ associations: 4, nonces: 6, expired: 0 });
    const completed = await queue.getCompleted();
    expect(completed.some((job) => job.name === JOBS.purgeExpired)).toBe(true);
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
  });

  it('finishes the purge job in flight when SIGTERM arrives, then exits 0', async () => {
    await seedKeys(120000, 1);
    proc = spawnService(
      testEnv({ ROLE: 'worker', QUEUE_PREFIX: prefix, LOG_LEVEL: 'info', PURGE_INTERVAL_SECONDS: '3600', PURGE_BATCH_SIZE: '2000' }),
    );
    await proc.waitForLog((e) => e.msg === 'workers started');
    // The scheduler enqueues the first run at once; wait until the worker is inside it.
    await waitUntil('the scheduled purge job to start', async () => (await queue.getActiveCount()) > 0 || (await queue.getCompletedCount()) > 0, { timeoutMs: 15_000, intervalMs: 5 });
    const caughtInFlight = (await queue.getActiveCount()) > 0;
    proc.child.kill('SIGTERM');
    const { code } = await proc.exited;
    expect(code).toBe(0);
    expect(caughtInFlight).toBe(true);
    expect(await queue.getActiveCount()).toBe(0);
    expect(await queue.getCompletedCount()).toBe(1);
    expect(await countKeys()).toEqual({ expired: 0, live: 1 });
    expect(proc.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
  });
});
