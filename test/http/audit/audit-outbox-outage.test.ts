import { App } from '../../../src/app';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { fullLogin } from '../../support/full-login';
import { startPrivateRedis } from '../../support/redis-server';
import { testQueuePrefix } from '../../support/env';
import { waitUntil } from '../../support/wait';

const OUTAGE_SECONDS = Number(process.env.IDS_FAULT_REDIS_OUTAGE_SECONDS ?? 5);

const count = async (sql: string, params: unknown[] = []) => ((await ownerSql(sql, params))[0] as { n: number }).n;

describe('the audit outbox while Redis is down', () => {
  it('lets logins complete, keeps every event, and chains them all once Redis is back', async () => {
    let redis = await startPrivateRedis();
    let app: App | undefined;
    try {
      // Emptied before the workers start: a TRUNCATE racing their first runs can deadlock.
      await resetDatabase();
      app = await startPublicTestApp({ ROLE: 'all', REDIS_URL: redis.url, QUEUE_PREFIX: `${testQueuePrefix()}-outage`, AUDIT_DRAIN_INTERVAL_MS: '100' });
      const { apiKey } = await createTestCustomer(app, 'acme');
      await waitUntil("the worker to audit the customer's creation", async () => (await count(`select count(*)::int as n from audit_outbox where audited_at is null`)) === 0);

      await redis.stop();
      // Whole sign-ins, back to back, for as long as Redis stays down (30 s with IDS_FAULT_REDIS_OUTAGE_SECONDS=30).
      const users: string[] = [];
      const outageEnds = Date.now() + OUTAGE_SECONDS * 1000;
      while (Date.now() < outageEnds || users.length < 5) {
        const username = `u${users.length + 1}`;
        expect(await fullLogin(app.config.PUBLIC_URL, 'acme', apiKey, username)).toBe(true);
        users.push(username);
      }
      expect((await fetch(`${app.url}/readyz`)).status).toBe(503);
      expect(await count(`select count(*)::int as n from audit_outbox where audited_at is null and action = 'profile.created'`)).toBe(users.length);
      expect(await count(`select count(*)::int as n from audit_event where action = 'profile.created'`)).toBe(0);
      const pending = await count(`select count(*)::int as n from audit_outbox where audited_at is null`);

      redis = await startPrivateRedis(redis.port);
      await waitUntil('the worker to audit every event held in the outbox during the outage', async () => (await count(`select count(*)::int as n from audit_outbox where audited_at is null`)) === 0, { timeoutMs: 20_000 });
      expect(await count(`select count(*)::int as n from audit_event where action = 'profile.created'`)).toBe(users.length);
      const verified = await app.db.run({ kind: 'platform', reason: 'test' }, async () => app!.services.audit.verifyChain((await ownerSql(`select id from customer`))[0].id));
      expect(verified).toEqual({ ok: true, eventsChecked: pending + 1 });
    } finally {
      await app?.stop();
      await redis.stop();
    }
  }, 60_000 + OUTAGE_SECONDS * 1000);
});
