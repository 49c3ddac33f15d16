import { App } from '../../../src/app';
import { customerScope, platformScope } from '../../../src/db/scope';
import type { ConsentDecisionRecord, ConsentSubject } from '../../../src/consent';
import { customerTenant, PLATFORM, Tenant } from '../../../src/shared/tenant';
import { createTestCustomer, ownerSql, resetDatabase, startTestApp } from '../../support/app';

/** ConsentService.listForSubjects, what Profile.consentDecisions batches into one statement (consent-decision.repository.ts). */
describe("the consent decisions of a page's people", () => {
  let app: App;
  let acme: string;
  let globex: string;
  let statements: string[] = [];
  const onQuery = (query: { sql: string }) => statements.push(query.sql);

  beforeAll(async () => {
    app = await startTestApp();
    for (const orm of [app.orm, app.platformOrm]) orm.em.getConnection().getKnex().on('query', onQuery);
  });
  afterAll(async () => {
    for (const orm of [app.orm, app.platformOrm]) orm.em.getConnection().getKnex().off('query', onQuery);
    await app.stop();
  });
  beforeEach(async () => {
    await resetDatabase();
    ({ customer: { id: acme } } = await createTestCustomer(app, 'acme'));
    ({ customer: { id: globex } } = await createTestCustomer(app, 'globex'));
  });

  async function decide(customerId: string, username: string, realm: string, decidedAt: string, extra: { revokedAt?: string; grantedFields?: string[] } = {}): Promise<string> {
    const [row] = await ownerSql(
      `insert into consent_decision (id, customer_id, username, realm, decision, granted_fields, is_remembered, decided_at, revoked_at)
       values (gen_random_uuid(), ?, ?, ?, 'ALLOW', ?, true, ?, ?) returning id`,
      [customerId, username, realm, extra.grantedFields ?? ['email'], decidedAt, extra.revokedAt ?? null],
    );
    return (row as { id: string }).id;
  }

  /** The decisions of `subjects` as `tenant` sees them, with the statements that cost (BEGIN and COMMIT left out). */
  async function listFor(tenant: Tenant, subjects: ConsentSubject[]): Promise<{ decisions: ConsentDecisionRecord[][]; sql: string[] }> {
    const scope = tenant.kind === 'customer' ? customerScope(tenant.customerId) : platformScope('test: decisions of subjects');
    statements = [];
    const decisions = await app.db.run(scope, () => app.services.consent.listForSubjects(subjects, tenant));
    return { decisions, sql: statements.filter((sql) => !/^(begin|commit|select set_config)/i.test(sql)) };
  }

  it("answers each subject with its own decisions, newest first, in one statement across customers", async () => {
    const older = await decide(acme, 'alice', 'https://a.example/', '2026-11-01T10:00:00Z');
    const newer = await decide(acme, 'alice', 'https://b.example/', '2026-11-02T10:00:00.5Z', { revokedAt: '2026-11-03T00:00:00Z', grantedFields: ['email', 'fullname'] });
    const bobs = await decide(acme, 'bob', 'https://a.example/', '2026-11-01T12:00:00Z');
    const globexAlice = await decide(globex, 'alice', 'https://a.example/', '2026-11-04T10:00:00Z');
    const subjects = [
      { customerId: acme, username: 'alice' },
      { customerId: globex, username: 'alice' },
      { customerId: acme, username: 'nobody' },
      { customerId: acme, username: 'bob' },
    ];
    const { decisions, sql } = await listFor(PLATFORM, subjects);
    expect(decisions.map((ds) => ds.map((d) => d.id))).toEqual([[newer, older], [globexAlice], [], [bobs]]);
    expect(sql).toHaveLength(1);
    expect(decisions[0]![0]).toEqual({
      id: newer,
      customerId: acme,
      username: 'alice',
      realm: 'https://b.example/',
      decision: 'ALLOW',
      grantedFields: ['email', 'fullname'],
      isRemembered: true,
      decidedAt: new Date('2026-11-02T10:00:00.500Z'),
      revokedAt: new Date('2026-11-03T00:00:00Z'),
    });
  });

  it('costs the same one statement for one subject as for a hundred', async () => {
    const few = await listFor(customerTenant(acme), [{ customerId: acme, username: 'user0' }]);
    const many = await listFor(customerTenant(acme), Array.from({ length: 100 }, (_, i) => ({ customerId: acme, username: `user${i}` })));
    expect(few.sql).toHaveLength(1);
    expect(many.sql).toEqual(few.sql);
  });

  it("never shows a customer's caller another customer's decisions, nor a user-bound one another user's", async () => {
    await decide(globex, 'alice', 'https://a.example/', '2026-11-01T10:00:00Z');
    const bobs = await decide(acme, 'bob', 'https://a.example/', '2026-11-01T10:00:00Z');
    await decide(acme, 'carol', 'https://a.example/', '2026-11-01T10:00:00Z');
    const asked = [{ customerId: globex, username: 'alice' }, { customerId: acme, username: 'bob' }, { customerId: acme, username: 'carol' }];
    expect((await listFor(customerTenant(acme), asked)).decisions.map((ds) => ds.length)).toEqual([0, 1, 1]);
    expect((await listFor(customerTenant(acme, 'bob'), asked)).decisions.map((ds) => ds.map((d) => d.id))).toEqual([[], [bobs], []]);
  });

  it('matches usernames exactly, whatever characters they hold', async () => {
    const odd = `o'brien "x" \\ ü ,{}`;
    const id = await decide(acme, odd, 'https://a.example/', '2026-11-01T10:00:00Z');
    await decide(acme, 'O\'BRIEN "X" \\ Ü ,{}', 'https://a.example/', '2026-11-01T10:00:00Z');
    const { decisions } = await listFor(customerTenant(acme), [{ customerId: acme, username: odd }]);
    expect(decisions).toEqual([[expect.objectContaining({ id, username: odd })]]);
  });
});
