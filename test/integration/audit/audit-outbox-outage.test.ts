import { App } from '../../../src/app';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { postback, startLogin } from '../../support/flow';
import { startPrivateRedis } from '../../support/redis-server';
import { testQueuePrefix } from '../../support/env';

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const count = async (sql: string, params: unknown[] = []) => ((await ownerSql(sql, params))[0] as { n: number }).n;

describe('the audit outbox while Redis is down', () => {
  it('lets logins complete, keeps every event, and chains them all once Redis is back', async () => {
    let redis = await startPrivateRedis();
    let app: App | undefined;
    try {
      app = await startPublicTestApp({ ROLE: 'all', REDIS_URL: redis.url, QUEUE_PREFIX: `${testQueuePrefix()}-outage`, AUDIT_DRAIN_INTERVAL_MS: '100' });
      await resetDatabase();
      const { apiKey } = await createTestCustomer(app, 'acme');
      await until(async () => (await count(`select count(*)::int as n from audit_outbox where audited_at is null`)) === 0, 10_000);

      await redis.stop();
      const users = ['u1', 'u2', 'u3', 'u4', 'u5'];
      for (const username of users) {
        const login = await startLogin(app, 'acme');
        const res = await postback(app, 'acme', { request_id: login.requestId, api_key: apiKey, username, sreg_email: `${username}@example.org` });
        expect(res.status).toBe(200);
        const back = await login.browser.get(`${app.url}/c/acme/ows_return?request_id=${login.requestId}`);
        // The login went on to the consent page (or the RP): it did not wait for Redis.
        expect([200, 302]).toContain(back.status);
      }
      expect(await count(`select count(*)::int as n from audit_outbox where audited_at is null and action = 'profile.created'`)).toBe(users.length);
      expect(await count(`select count(*)::int as n from audit_event where action = 'profile.created'`)).toBe(0);

      redis = await startPrivateRedis(redis.port);
      await until(async () => (await count(`select count(*)::int as n from audit_outbox where audited_at is null`)) === 0, 20_000);
      expect(await count(`select count(*)::int as n from audit_event where action = 'profile.created'`)).toBe(users.length);
      const verified = await app.db.run({ kind: 'platform', reason: 'test' }, async () => app!.services.audit.verifyChain((await ownerSql(`select id from customer`))[0].id));
      expect(verified).toEqual({ ok: true, eventsChecked: users.length + 1 });
    } finally {
      await app?.stop();
      await redis.stop();
    }
  }, 60_000);
});
