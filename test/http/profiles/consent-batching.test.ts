import { App } from '../../../src/app';
import { createTestCustomer, ownerSql, resetDatabase, startTestApp } from '../../support/app';
import { graphql } from '../../support/graphql';
import { clientToken } from '../../support/oauth';

const PAGE = `query($first: Int!) { profiles(first: $first) { nodes { username consentDecisions { realm decision grantedFields } } } }`;

type Page = { profiles: { nodes: Array<{ username: string; consentDecisions: Array<{ realm: string; decision: string; grantedFields: string[] }> }> } };

describe('Profile.consentDecisions', () => {
  let app: App;
  let customerId: string;
  let statements: string[] = [];
  const onQuery = (query: { sql: string }) => statements.push(query.sql);

  beforeAll(async () => {
    app = await startTestApp();
    // The bootstrap operator works on the platform pool; a client on the service's own.
    for (const orm of [app.orm, app.platformOrm]) orm.em.getConnection().getKnex().on('query', onQuery);
  });
  afterAll(async () => {
    for (const orm of [app.orm, app.platformOrm]) orm.em.getConnection().getKnex().off('query', onQuery);
    await app.stop();
  });
  beforeEach(async () => {
    await resetDatabase();
    ({ customer: { id: customerId } } = await createTestCustomer(app, 'acme'));
  });

  /** `count` profiles of one customer, each with one consent decision, in two statements. */
  async function seed(count: number, customer = customerId, prefix = 'user'): Promise<void> {
    await ownerSql(
      `insert into profile (id, customer_id, username, created_at, updated_at, last_seen_at)
       select gen_random_uuid(), ?, ? || lpad(n::text, 3, '0'), t, t, t
       from generate_series(1, ?) n, lateral (select timestamptz '2026-11-01' + n * interval '1 second' as t) at`,
      [customer, prefix, count],
    );
    await ownerSql(
      `insert into consent_decision (id, customer_id, username, realm, decision, granted_fields, is_remembered, decided_at)
       select gen_random_uuid(), customer_id, username, 'https://rp.example.org/', 'ALLOW', '{email}', true, created_at
       from profile where customer_id = ?`,
      [customer],
    );
  }

  /** Fetches a page as the bootstrap operator (no token lookup) and returns it with the SQL it cost. */
  async function fetchPage(first: number): Promise<{ page: Page; sql: string[] }> {
    statements = [];
    const res = await graphql<Page>(app.url!, PAGE, { first });
    expect(res.errors).toBeUndefined();
    return { page: res.data!, sql: statements };
  }

  it('costs the same small number of SQL statements for 5 profiles as for 100', async () => {
    await seed(100);
    const small = await fetchPage(5);
    const large = await fetchPage(100);
    expect(small.page.profiles.nodes).toHaveLength(5);
    expect(large.page.profiles.nodes).toHaveLength(100);
    for (const node of large.page.profiles.nodes) {
      expect(node.consentDecisions).toEqual([{ realm: 'https://rp.example.org/', decision: 'ALLOW', grantedFields: ['email'] }]);
    }
    expect(large.sql).toHaveLength(small.sql.length);
    // Begin, one select of profiles, one of all their decisions, commit: the platform pool needs no
    // scope setting (its role sees every customer).
    expect(large.sql.length).toBeLessThanOrEqual(4);
    expect(large.sql.filter((sql) => /^select set_config/.test(sql))).toHaveLength(0);
    expect(large.sql.filter((sql) => /from "consent_decision"/.test(sql))).toHaveLength(1);
  });

  it('needs consents:read and shows only the caller\'s customer\'s decisions', async () => {
    const { customer: other } = await createTestCustomer(app, 'globex');
    await seed(2);
    await seed(2, other.id);
    const reader = await clientToken(app, customerId, ['profiles:read', 'consents:read', 'consents.personal']);
    const res = await graphql<Page>(app.url!, PAGE, { first: 10 }, reader.token);
    expect(res.errors).toBeUndefined();
    expect(res.data!.profiles.nodes.map((n) => n.consentDecisions.length)).toEqual([1, 1]);

    const noConsents = await clientToken(app, customerId, ['profiles:read']);
    const refused = await graphql(app.url!, PAGE, { first: 10 }, noConsents.token);
    expect(refused.errors?.[0]).toMatchObject({ path: ['profiles', 'nodes', 0, 'consentDecisions'], extensions: { code: 'FORBIDDEN' } });
  });

  const consentStatements = () => statements.filter((sql) => /from "consent_decision"/.test(sql));

  it('reads no consent decision for a page that does not ask for them, skips them, or may not see them', async () => {
    await seed(3);
    const readerWithoutConsents = await clientToken(app, customerId, ['profiles:read']);
    for (const [query, token] of [
      [`query($first: Int!) { profiles(first: $first) { nodes { username } } }`, undefined],
      [`query($first: Int!) { profiles(first: $first) { nodes { username consentDecisions @skip(if: true) { realm } } } }`, undefined],
      [PAGE, readerWithoutConsents.token],
    ] as const) {
      statements = [];
      const res = await graphql(app.url!, query, { first: 3 }, token);
      expect(res.errors?.every((e) => e.extensions?.code === 'FORBIDDEN') ?? true).toBe(true);
      expect(consentStatements()).toHaveLength(0);
    }
  });

  it("answers decisions asked for through fragments and aliases with the same one statement, and a restricted person's with none", async () => {
    await seed(3);
    await ownerSql(`update profile set restricted_at = now() where customer_id = ? and username = 'user002'`, [customerId]);
    statements = [];
    const res = await graphql<{ profiles: { nodes: Array<{ username: string | null; decisions: unknown[] }> } }>(
      app.url!,
      `{ profiles(first: 10) { ...Page } }
       fragment Page on ProfileConnection { nodes { username ... on Profile { decisions: consentDecisions { realm } } } }`,
    );
    expect(res.errors).toBeUndefined();
    const decided = [{ realm: 'https://rp.example.org/' }];
    expect(res.data!.profiles.nodes).toEqual([
      { username: 'user001', decisions: decided },
      { username: null, decisions: [] },
      { username: 'user003', decisions: decided },
    ]);
    expect(consentStatements()).toHaveLength(1);
  });
});
