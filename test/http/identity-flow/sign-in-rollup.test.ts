import { App } from '../../../src/app';
import { FixedClock } from '../../../src/shared/clock';
import { createLogger } from '../../../src/shared/logger';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { graphql } from '../../support/graphql';
import { signIn, SignInEnding } from '../../support/sign-ins';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const log = createLogger('silent');

const QUERY = `query($c: ID!, $r: StatsRange!) {
  signInStats(customerId: $c, range: $r) { buckets { hourStart succeeded declined cancelled failed expired inProgress total } }
}`;
type Bucket = { hourStart: string; succeeded: number; declined: number; cancelled: number; failed: number; expired: number; inProgress: number; total: number };

/** Every ending a sign-in can have, so each outcome column is exercised by the purge's fold. */
const ENDINGS: SignInEnding[] = ['no_prompt', 'allow', 'deny', 'aw_cancel', 'early_return', 'other_user', 'open'];

/**
 * The 7-day chart outlives the purge of finished sign-ins (AUTH_REQUEST_RETENTION_HOURS, 24 by
 * default): the purge folds each request it deletes into `sign_in_hour_count`, in the same statement.
 */
describe('signInStats after the retention purge: sign-ins rolled up into hourly counts', () => {
  let app: App;
  let acme: { id: string; apiKey: string };
  let globex: { id: string; apiKey: string };
  // A whole UTC hour near the wall clock: tokens and the flow's steps run at the app's clock.
  const hour = Math.floor(Date.now() / HOUR) * HOUR;
  const now = hour + 30 * MINUTE;
  const clock = new FixedClock(new Date(now));

  beforeAll(async () => {
    app = await startPublicTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' }, { clock });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    clock.set(new Date(now));
    await resetDatabase();
    const a = await createTestCustomer(app, 'acme');
    const g = await createTestCustomer(app, 'globex');
    acme = { id: a.customer.id, apiKey: a.apiKey };
    globex = { id: g.customer.id, apiKey: g.apiKey };
  });

  async function signInAt(at: number, ending: SignInEnding, customer = acme, slug = 'acme'): Promise<void> {
    clock.set(new Date(at));
    await signIn(app, slug, customer.apiKey, ending);
  }

  async function week(customerId = acme.id): Promise<Bucket[]> {
    clock.set(new Date(now));
    const res = await graphql<{ signInStats: { buckets: Bucket[] } }>(app.url!, QUERY, { c: customerId, r: 'LAST_7_DAYS' });
    expect(res.errors).toBeUndefined();
    return res.data!.signInStats.buckets;
  }

  const nonZero = (buckets: Bucket[]) => buckets.filter((b) => b.total > 0);
  const authRequestPurger = () => app.services.retention.purgers.find((p) => p.name === 'auth_request')!;
  const rollup = () => ownerSql(`select customer_id, hour_start, succeeded, declined, cancelled, failed, expired from sign_in_hour_count order by customer_id, hour_start`);

  it('keeps every purged sign-in in its hour under the same outcome, and only its count', async () => {
    for (const [i, ending] of ENDINGS.entries()) await signInAt(hour - 100 * HOUR + i * MINUTE, ending);
    await signInAt(hour - 50 * HOUR + 5 * MINUTE, 'no_prompt');
    await signInAt(hour - 50 * HOUR + 6 * MINUTE, 'deny');
    await signInAt(hour - 2 * HOUR, 'no_prompt'); // finished 2 hours ago: not purged yet
    await signInAt(hour - 100 * HOUR, 'no_prompt', globex, 'globex');
    const before = await week();
    expect(nonZero(before).map((b) => [b.hourStart, b.total])).toEqual([
      [new Date(hour - 100 * HOUR).toISOString(), ENDINGS.length],
      [new Date(hour - 50 * HOUR).toISOString(), 2],
      [new Date(hour - 2 * HOUR).toISOString(), 1],
    ]);
    expect(nonZero(before)[0]).toMatchObject({ succeeded: 2, declined: 1, cancelled: 2, failed: 1, expired: 1, inProgress: 0 });
    const globexBefore = await week(globex.id);

    clock.set(new Date(now));
    const run = await app.services.retention.purgeExpired(log);

    expect(run.failures).toEqual({});
    expect(run.removed.auth_request).toBe(ENDINGS.length + 2 + 1);
    expect(await week()).toEqual(before);
    expect(await week(globex.id)).toEqual(globexBefore);
    // The requests themselves are gone; only the recent one is still stored.
    expect(await ownerSql(`select customer_id, created_at from auth_request`)).toEqual([{ customer_id: acme.id, created_at: new Date(hour - 2 * HOUR) }]);
    expect(await rollup()).toEqual(
      [
        { customer_id: acme.id, hour_start: new Date(hour - 100 * HOUR), succeeded: 2, declined: 1, cancelled: 2, failed: 1, expired: 1 },
        { customer_id: acme.id, hour_start: new Date(hour - 50 * HOUR), succeeded: 1, declined: 1, cancelled: 0, failed: 0, expired: 0 },
        { customer_id: globex.id, hour_start: new Date(hour - 100 * HOUR), succeeded: 1, declined: 0, cancelled: 0, failed: 0, expired: 0 },
      ].sort((x, y) => (x.customer_id < y.customer_id ? -1 : x.customer_id > y.customer_id ? 1 : x.hour_start.getTime() - y.hour_start.getTime())),
    );
    // Counts only: no column could hold a username, realm, request or reason.
    const columns = await ownerSql(`select column_name from information_schema.columns where table_name = 'sign_in_hour_count' order by ordinal_position`);
    expect(columns.map((c) => c.column_name)).toEqual(['customer_id', 'hour_start', 'succeeded', 'declined', 'cancelled', 'failed', 'expired']);
  });

  it('counts each request once when purges run concurrently, again, and into an hour already rolled up', async () => {
    const at = hour - 40 * HOUR;
    for (let i = 0; i < 6; i++) await signInAt(at + i * MINUTE, i % 3 === 0 ? 'deny' : 'no_prompt');
    clock.set(new Date(now));
    // Four purges at once, each in batches of 2 until it finds nothing: 6 requests, each deleted and folded once.
    const drain = async () => {
      let removed = 0;
      for (let n = await authRequestPurger().purge(2); n > 0; n = await authRequestPurger().purge(2)) removed += n;
      return removed;
    };
    const removed = await Promise.all([drain(), drain(), drain(), drain()]);
    expect(removed.reduce((a, b) => a + b, 0)).toBe(6);
    expect(await authRequestPurger().purge(100)).toBe(0);
    expect(await rollup()).toEqual([{ customer_id: acme.id, hour_start: new Date(hour - 40 * HOUR), succeeded: 4, declined: 2, cancelled: 0, failed: 0, expired: 0 }]);

    // A later request of the same hour, purged by a later run, adds to that hour's row.
    await signInAt(at + 30 * MINUTE, 'aw_cancel');
    clock.set(new Date(now));
    expect((await app.services.retention.purgeExpired(log)).removed.auth_request).toBe(1);
    expect((await app.services.retention.purgeExpired(log)).removed.auth_request).toBe(0);
    expect(await rollup()).toEqual([{ customer_id: acme.id, hour_start: new Date(hour - 40 * HOUR), succeeded: 4, declined: 2, cancelled: 1, failed: 0, expired: 0 }]);
    expect(nonZero(await week())).toEqual([
      { hourStart: new Date(hour - 40 * HOUR).toISOString(), succeeded: 4, declined: 2, cancelled: 1, failed: 0, expired: 0, inProgress: 0, total: 7 },
    ]);
  });

  it('drops rolled-up hours older than the 7-day range and a day, keeping the rest', async () => {
    const row = `insert into sign_in_hour_count (customer_id, hour_start, succeeded) values (?, ?, 1)`;
    await ownerSql(row, [acme.id, new Date(hour - 193 * HOUR)]); // started more than 192 hours before now (at :30): dropped
    await ownerSql(row, [acme.id, new Date(hour - 192 * HOUR)]); // started 192.5 hours before: dropped
    await ownerSql(row, [acme.id, new Date(hour - 191 * HOUR)]); // 191.5 hours: kept
    await ownerSql(row, [globex.id, new Date(hour - 167 * HOUR)]); // the 7-day chart's first hour: kept
    clock.set(new Date(now));
    const run = await app.services.retention.purgeExpired(log);
    expect(run.removed.sign_in_hour_count).toBe(2);
    expect((await rollup()).map((r) => [r.customer_id, r.hour_start])).toEqual(
      [
        [acme.id, new Date(hour - 191 * HOUR)],
        [globex.id, new Date(hour - 167 * HOUR)],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
    expect(nonZero(await week(globex.id))).toMatchObject([{ hourStart: new Date(hour - 167 * HOUR).toISOString(), succeeded: 1, total: 1 }]);
  });

  it('refuses a negative count, changing nothing', async () => {
    await expect(ownerSql(`insert into sign_in_hour_count (customer_id, hour_start, failed) values (?, ?, -1)`, [acme.id, new Date(hour - HOUR)])).rejects.toThrow(/not_negative/);
    expect(await rollup()).toEqual([]);
  });
});
