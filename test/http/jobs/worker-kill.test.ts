import { App } from '../../../src/app';
import { platformScope } from '../../../src/db/scope';
import { createTestCustomer, ownerSql, resetDatabase, startTestApp } from '../../support/app';
import { testEnv } from '../../support/config';
import { testQueuePrefix } from '../../support/env';
import { ensureStopped, ServiceProcess, spawnService } from '../../support/process';
import { waitUntil } from '../../support/wait';

const EVENTS = 4000;
const EXPIRED_NONCES = 6000;
const LIVE_NONCES = 50;

const count = async (sql: string, params: unknown[] = []) => ((await ownerSql(sql, params))[0] as { n: number }).n;
const chained = () => count(`select count(*)::int as n from audit_event where action = 'test.event'`);
const expiredLeft = () => count(`select count(*)::int as n from openid_nonce where expires_at < now()`);

/**
 * SIGKILL gives the worker no chance to finish anything: each audit batch and each purge batch
 * must be its own transaction, so what it was doing rolls back whole and the next worker redoes it.
 */
describe('a worker killed with SIGKILL in the middle of audit and purge batches', () => {
  let api: App;
  let worker: ServiceProcess | undefined;
  afterEach(async () => {
    await ensureStopped(worker);
    await api?.stop();
  });

  it('loses no audit event, leaves no batch half done, and finishes everything after a restart', async () => {
    api = await startTestApp();
    await resetDatabase();
    const { customer } = await createTestCustomer(api, 'acme');
    await ownerSql(
      `insert into audit_outbox (customer_id, occurred_at, actor_kind, actor_id, action, target_type, target_id)
       select ?, now(), 'SYSTEM', 'test', 'test.event', 'thing', g::text from generate_series(1, ?) g`,
      [customer.id, EVENTS],
    );
    for (const [n, interval] of [[EXPIRED_NONCES, '-1 minute'], [LIVE_NONCES, '+1 hour']] as const) {
      await ownerSql(
        `insert into openid_nonce (customer_id, nonce, expires_at) select ?, md5(random()::text || g::text), now() + ?::interval from generate_series(1, ?) g`,
        [customer.id, interval, n],
      );
    }
    const env = testEnv({
      ROLE: 'worker',
      LOG_LEVEL: 'info',
      QUEUE_PREFIX: `${testQueuePrefix()}-worker-kill`,
      AUDIT_DRAIN_BATCH_SIZE: '20',
      AUDIT_DRAIN_INTERVAL_MS: '100',
      PURGE_BATCH_SIZE: '25',
      PURGE_INTERVAL_SECONDS: '1',
    });
    worker = spawnService(env);
    // Killed once both jobs are under way and neither is done.
    await waitUntil('both the audit drain and the purge to be under way', async () => (await chained()) > 0 && (await expiredLeft()) < EXPIRED_NONCES, { timeoutMs: 20_000 });
    worker.child.kill('SIGKILL');
    await worker.exited;

    const [events, left] = [await chained(), await expiredLeft()];
    expect(events).toBeLessThan(EVENTS);
    // Every committed batch is whole: events move in batches of 20, nonces go in batches of 25.
    expect((await count(`select count(*)::int as n from audit_event`)) % 20).toBe(0);
    expect((EXPIRED_NONCES - left) % 25).toBe(0);
    expect(await count(`select count(*)::int as n from audit_outbox where audited_at is not null and action = 'test.event'`)).toBe(events);

    worker = spawnService(env);
    await waitUntil('every event chained and every expired nonce purged after the restart', async () => (await chained()) === EVENTS && (await expiredLeft()) === 0, { timeoutMs: 60_000 });
    expect(await count(`select count(*)::int as n from audit_outbox where audited_at is null`)).toBe(0);
    expect(await count(`select count(*)::int as n from openid_nonce`)).toBe(LIVE_NONCES);
    // Each event exactly once, in order, on an unbroken chain.
    expect(await count(`select count(distinct target_id)::int as n from audit_event where action = 'test.event'`)).toBe(EVENTS);
    const verified = await api.db.run(platformScope('test'), () => api.services.audit.verifyChain(customer.id));
    expect(verified.ok).toBe(true);
  }, 120_000);
});
