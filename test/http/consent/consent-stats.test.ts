import { App } from '../../../src/app';
import { FixedClock } from '../../../src/shared/clock';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp, tableCounts } from '../../support/app';
import { graphql } from '../../support/graphql';
import { clientToken } from '../../support/oauth';
import { operatorToken } from '../../support/operators';
import { signIn, SignInEnding } from '../../support/sign-ins';

const HOUR = 3_600_000;
const MINUTE = 60_000;

const QUERY = `query($c: ID!, $r: StatsRange!) {
  consentStats(customerId: $c, range: $r) { customerId range since until approved denied rememberedDecisions }
}`;

type Stats = { consentStats: { customerId: string; range: string; since: string; until: string; approved: number; denied: number; rememberedDecisions: number } };

describe('consentStats: consent pages approved and denied, for the dashboard chart', () => {
  let app: App;
  let acme: { id: string; apiKey: string };
  let globex: { id: string; apiKey: string };
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
    await resetDatabase();
    const a = await createTestCustomer(app, 'acme');
    const g = await createTestCustomer(app, 'globex');
    acme = { id: a.customer.id, apiKey: a.apiKey };
    globex = { id: g.customer.id, apiKey: g.apiKey };
  });

  async function signInAt(at: number, ending: SignInEnding, username: string, customer = acme, slug = 'acme'): Promise<void> {
    clock.set(new Date(at));
    await signIn(app, slug, customer.apiKey, ending, username);
  }

  async function stats(range: string, customerId = acme.id, token?: string) {
    clock.set(new Date(hour + 30 * MINUTE));
    return graphql<Stats>(app.url!, QUERY, { c: customerId, r: range }, token);
  }

  it('counts the approvals, denials and remembered approvals decided in the range, nothing of another customer', async () => {
    const since24 = hour - 23 * HOUR;
    await signInAt(since24, 'allow', 'ann'); // the range's first instant
    await signInAt(since24 - 1, 'deny', 'bob'); // just before it: in 7 days only
    await signInAt(hour - 2 * HOUR, 'deny', 'cid');
    await signInAt(hour - HOUR, 'allow_remember', 'dee');
    await signInAt(hour + 5 * MINUTE, 'no_prompt', 'eve'); // no consent page, no decision
    await signInAt(hour + 6 * MINUTE, 'deny', 'fay');
    await signInAt(hour + 7 * MINUTE, 'allow_remember', 'gus', globex, 'globex');
    await signInAt(hour + 8 * MINUTE, 'deny', 'hal', globex, 'globex');
    await signInAt(hour - 167 * HOUR, 'allow_remember', 'ivy'); // the 7-day range's first hour
    await signInAt(hour - 168 * HOUR + 59 * MINUTE, 'allow', 'jon'); // the hour before it

    const day = await stats('LAST_24_HOURS');
    expect(day.errors).toBeUndefined();
    expect(day.data!.consentStats).toEqual({
      customerId: acme.id,
      range: 'LAST_24_HOURS',
      since: new Date(since24).toISOString(),
      until: new Date(hour + HOUR).toISOString(),
      approved: 2,
      denied: 2,
      rememberedDecisions: 1,
    });
    const week = await stats('LAST_7_DAYS');
    expect(week.data!.consentStats).toMatchObject({ since: new Date(hour - 167 * HOUR).toISOString(), approved: 3, denied: 3, rememberedDecisions: 2 });
  });

  it('answers zeros for a customer without decisions', async () => {
    const res = await stats('LAST_7_DAYS');
    expect(res.data!.consentStats).toMatchObject({ approved: 0, denied: 0, rememberedDecisions: 0 });
  });

  it('costs one SQL statement beyond the transaction around it', async () => {
    await signInAt(hour, 'deny', 'ann');
    statements = [];
    const res = await stats('LAST_24_HOURS');
    expect(res.data!.consentStats.denied).toBe(1);
    const work = statements.filter((sql) => !/^(begin|commit|rollback|savepoint|release savepoint)\b/i.test(sql.trim()));
    expect(work).toHaveLength(1);
    expect(work[0]).toMatch(/consent_decision/);
  });

  it('needs consents:read, and shows a customer-bound caller only its own customer', async () => {
    await signInAt(hour, 'deny', 'ann', globex, 'globex');
    for (const role of ['VIEWER', 'AUDITOR']) {
      const token = await operatorToken(app, role, acme.id);
      const res = await stats('LAST_24_HOURS', acme.id, token);
      expect(res.data).toBeNull();
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', missingScopes: ['consents:read'] });
    }
    const support = await operatorToken(app, 'SUPPORT', acme.id);
    const client = (await clientToken(app, acme.id, ['consents:read'])).token;
    for (const token of [support, client]) {
      expect((await stats('LAST_24_HOURS', acme.id, token)).data!.consentStats.denied).toBe(0);
      const other = await stats('LAST_24_HOURS', globex.id, token);
      expect(other.data).toBeNull();
      expect(other.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    const platformSupport = await operatorToken(app, 'SUPPORT', null);
    expect((await stats('LAST_24_HOURS', globex.id, platformSupport)).data!.consentStats.denied).toBe(1);
  });

  it('answers an unknown or malformed customer id with NOT_FOUND, changing nothing', async () => {
    const before = await tableCounts();
    for (const id of ['not-a-uuid', '00000000-0000-4000-8000-000000000000', "'; delete from consent_decision; --"]) {
      const res = await stats('LAST_24_HOURS', id);
      expect(res.data).toBeNull();
      expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    expect(await tableCounts()).toEqual(before);
    expect(await ownerSql('select 1 from customer')).toHaveLength(2);
  });
});
