import { App } from '../../../src/app';
import { FixedClock } from '../../../src/shared/clock';
import { createTestCustomer, resetDatabase, startPublicTestApp, tableCounts } from '../../support/app';
import { graphql } from '../../support/graphql';
import { clientToken } from '../../support/oauth';
import { operatorToken } from '../../support/operators';
import { signIn, SignInEnding } from '../../support/sign-ins';

const HOUR = 3_600_000;
const MINUTE = 60_000;

const QUERY = `query($c: ID!, $r: StatsRange!) {
  signInStats(customerId: $c, range: $r) {
    customerId range since until
    buckets { hourStart succeeded declined cancelled failed expired inProgress total }
  }
}`;

interface Bucket {
  hourStart: string;
  succeeded: number;
  declined: number;
  cancelled: number;
  failed: number;
  expired: number;
  inProgress: number;
  total: number;
}
type Stats = { signInStats: { customerId: string; range: string; since: string; until: string; buckets: Bucket[] } };

const ZERO = { succeeded: 0, declined: 0, cancelled: 0, failed: 0, expired: 0, inProgress: 0, total: 0 };

describe('signInStats: sign-ins per hour by outcome, for the dashboard chart', () => {
  let app: App;
  let acme: { id: string; apiKey: string };
  let globex: { id: string; apiKey: string };
  // A whole UTC hour near the wall clock: tokens and the flow's steps run at the app's clock.
  const hour = Math.floor(Date.now() / HOUR) * HOUR;
  const clock = new FixedClock(new Date(hour));
  let statements: string[] = [];
  const onQuery = (query: { sql: string }) => statements.push(query.sql);

  beforeAll(async () => {
    app = await startPublicTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' }, { clock });
    for (const orm of [app.orm, app.platformOrm]) orm.em.getConnection().getKnex().on('query', onQuery);
  });
  afterAll(async () => {
    for (const orm of [app.orm, app.platformOrm]) orm.em.getConnection().getKnex().off('query', onQuery);
    await app.stop();
  });
  beforeEach(async () => {
    clock.set(new Date(hour + 30 * MINUTE));
    await resetDatabase();
    const a = await createTestCustomer(app, 'acme');
    const g = await createTestCustomer(app, 'globex');
    acme = { id: a.customer.id, apiKey: a.apiKey };
    globex = { id: g.customer.id, apiKey: g.apiKey };
  });

  /** Runs a sign-in of `customer` with the app's clock at `at`. */
  async function signInAt(at: number, ending: SignInEnding, customer = acme, slug = 'acme'): Promise<void> {
    clock.set(new Date(at));
    await signIn(app, slug, customer.apiKey, ending);
  }

  /** The statistics as `token` sees them, at the clock's `now`. */
  async function stats(range: string, customerId = acme.id, token?: string) {
    clock.set(new Date(hour + 30 * MINUTE));
    return graphql<Stats>(app.url!, QUERY, { c: customerId, r: range }, token);
  }

  it('counts each sign-in once, in the UTC hour it arrived, under its outcome, with every other hour zero', async () => {
    const since = hour - 23 * HOUR;
    await signInAt(since, 'open'); // the first instant of the range: expired by now
    await signInAt(since - 1, 'no_prompt'); // just before the range
    await signInAt(hour - 3 * HOUR + 5 * MINUTE, 'allow');
    await signInAt(hour - 3 * HOUR + 10 * MINUTE, 'deny');
    await signInAt(hour - 2 * HOUR, 'other_user');
    await signInAt(hour - HOUR + MINUTE, 'aw_cancel');
    await signInAt(hour - HOUR + 2 * MINUTE, 'early_return');
    await signInAt(hour + 5 * MINUTE, 'no_prompt');
    await signInAt(hour + 10 * MINUTE, 'open'); // expired 10 minutes later (AUTH_REQUEST_TTL_SECONDS)
    await signInAt(hour + 25 * MINUTE, 'open'); // still open at :30
    await signInAt(hour + 6 * MINUTE, 'no_prompt', globex, 'globex');

    const res = await stats('LAST_24_HOURS');
    expect(res.errors).toBeUndefined();
    const { buckets, ...window } = res.data!.signInStats;
    expect(window).toEqual({ customerId: acme.id, range: 'LAST_24_HOURS', since: new Date(since).toISOString(), until: new Date(hour + HOUR).toISOString() });
    expect(buckets.map((b) => b.hourStart)).toEqual(Array.from({ length: 24 }, (_, i) => new Date(since + i * HOUR).toISOString()));
    const expected: Bucket[] = buckets.map((b) => ({ ...ZERO, hourStart: b.hourStart }));
    expected[0] = { ...expected[0]!, expired: 1, total: 1 };
    expected[20] = { ...expected[20]!, succeeded: 1, declined: 1, total: 2 };
    expected[21] = { ...expected[21]!, failed: 1, total: 1 };
    expected[22] = { ...expected[22]!, cancelled: 2, total: 2 };
    expected[23] = { ...expected[23]!, succeeded: 1, expired: 1, inProgress: 1, total: 3 };
    expect(buckets).toEqual(expected);
  });

  it('covers 168 hours over 7 days, the request before the 24-hour range included', async () => {
    await signInAt(hour - 30 * HOUR, 'no_prompt');
    await signInAt(hour - 167 * HOUR, 'deny'); // the first hour of the range
    await signInAt(hour - 168 * HOUR + 59 * MINUTE, 'no_prompt'); // the hour before it
    const res = await stats('LAST_7_DAYS');
    expect(res.errors).toBeUndefined();
    const { buckets, since, until } = res.data!.signInStats;
    expect(buckets).toHaveLength(168);
    expect([since, until]).toEqual([new Date(hour - 167 * HOUR).toISOString(), new Date(hour + HOUR).toISOString()]);
    expect(buckets.filter((b) => b.total > 0).map((b) => [b.hourStart, b.succeeded, b.declined])).toEqual([
      [new Date(hour - 167 * HOUR).toISOString(), 0, 1],
      [new Date(hour - 30 * HOUR).toISOString(), 1, 0],
    ]);
    expect((await stats('LAST_24_HOURS')).data!.signInStats.buckets.every((b) => b.total === 0)).toBe(true);
  });

  it('costs one SQL statement beyond the transaction around it', async () => {
    await signInAt(hour, 'no_prompt');
    statements = [];
    const res = await stats('LAST_7_DAYS');
    expect(res.errors).toBeUndefined();
    const work = statements.filter((sql) => !/^(begin|commit|rollback|savepoint|release savepoint)\b/i.test(sql.trim()));
    expect(work).toHaveLength(1);
    expect(work[0]).toMatch(/from auth_request r/);
  });

  it('lets a customer-bound caller count only its own customer: another one is NOT_FOUND, as a missing one is', async () => {
    await signInAt(hour + 5 * MINUTE, 'no_prompt');
    await signInAt(hour + 6 * MINUTE, 'no_prompt', globex, 'globex');
    const viewer = await operatorToken(app, 'VIEWER', acme.id);
    const client = (await clientToken(app, acme.id, ['requests:read'])).token;
    for (const token of [viewer, client]) {
      const own = await stats('LAST_24_HOURS', acme.id, token);
      expect(own.errors).toBeUndefined();
      expect(own.data!.signInStats.buckets[23]).toMatchObject({ succeeded: 1, total: 1 });
      const other = await stats('LAST_24_HOURS', globex.id, token);
      expect(other.data).toBeNull();
      expect(other.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(other.errors?.[0]?.message).not.toContain('globex');
    }
    // A platform-wide operator may name any customer.
    const platformViewer = await operatorToken(app, 'VIEWER', null);
    const globexSeen = await stats('LAST_24_HOURS', globex.id, platformViewer);
    expect(globexSeen.data!.signInStats.buckets[23]).toMatchObject({ succeeded: 1, total: 1 });
  });

  it('needs requests:read', async () => {
    const client = (await clientToken(app, acme.id, ['profiles:read'])).token;
    const res = await stats('LAST_24_HOURS', acme.id, client);
    expect(res.data).toBeNull();
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', missingScopes: ['requests:read'] });
    const auditor = await operatorToken(app, 'AUDITOR', acme.id);
    expect((await stats('LAST_24_HOURS', acme.id, auditor)).errors).toBeUndefined();
  });

  it('answers an unknown or malformed customer id and an unknown range with a coded error, changing nothing', async () => {
    const before = await tableCounts();
    statements = [];
    const malformed = await stats('LAST_24_HOURS', 'not-a-uuid');
    expect(malformed.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // Refused before any query: no statement but the transaction's own.
    expect(statements.filter((sql) => /auth_request/.test(sql))).toEqual([]);
    const unknown = await stats('LAST_24_HOURS', '00000000-0000-4000-8000-000000000000');
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const badRange = await stats('LAST_YEAR');
    expect(badRange.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await tableCounts()).toEqual(before);
  });
});
