import { App } from '../../../src/app';
import { customerScope, DbScope, platformScope } from '../../../src/db/scope';
import { selectSignInHours } from '../../../src/identity-flow/sign-in-stats.repository';
import { selectConsentCounts } from '../../../src/consent/consent-stats.repository';
import { createTestCustomer, ownerSql, resetDatabase, startTestApp } from '../../support/app';

const SINCE = new Date('2026-11-01T00:00:00Z');
const UNTIL = new Date('2026-11-02T00:00:00Z');
const NOW = new Date('2026-11-01T23:30:00Z');

/**
 * The charts' statements under row-level security, as a customer-bound caller's transaction runs
 * them: even were the resolver's own check gone, another customer's rows are not there to count.
 */
describe("the dashboard charts' statements under row-level security", () => {
  let app: App;
  let acme: string;
  let globex: string;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    await resetDatabase();
    ({ customer: { id: acme } } = await createTestCustomer(app, 'acme'));
    ({ customer: { id: globex } } = await createTestCustomer(app, 'globex'));
    for (const customer of [acme, globex]) {
      await ownerSql(
        `insert into auth_request (id, customer_id, request_id_hash, status, mode, realm, return_to, openid_request, outcome, created_at, updated_at, expires_at)
         values (gen_random_uuid(), ?, md5(random()::text), 'COMPLETED', 'checkid_setup', 'https://rp.example/', 'https://rp.example/back', '{}', 'id_res', ?, ?, ?)`,
        [customer, '2026-11-01T10:15:00Z', '2026-11-01T10:16:00Z', '2026-11-01T10:25:00Z'],
      );
      await ownerSql(
        `insert into consent_decision (id, customer_id, username, realm, decision, granted_fields, is_remembered, decided_at)
         values (gen_random_uuid(), ?, 'alice', 'https://rp.example/', 'DENY', '{}', false, ?)`,
        [customer, '2026-11-01T10:16:00Z'],
      );
    }
  });

  const signIns = (scope: DbScope, customerId: string) => app.db.run(scope, () => selectSignInHours(app.orm.em, customerId, SINCE, UNTIL, NOW));
  const consents = (scope: DbScope, customerId: string) => app.db.run(scope, () => selectConsentCounts(app.orm.em, customerId, SINCE, UNTIL));

  it("counts the scope's own customer", async () => {
    const hours = await signIns(customerScope(acme), acme);
    expect(hours).toHaveLength(24);
    expect(hours[10]).toMatchObject({ hourStart: new Date('2026-11-01T10:00:00Z'), succeeded: 1, total: 1 });
    expect(hours.reduce((sum, h) => sum + h.total, 0)).toBe(1);
    expect(await consents(customerScope(acme), acme)).toEqual({ approved: 0, denied: 1, remembered: 0 });
  });

  it('finds no customer at all when another customer is named in a customer scope', async () => {
    expect(await signIns(customerScope(acme), globex)).toEqual([]);
    expect(await consents(customerScope(acme), globex)).toBeNull();
    // The platform path sees it (and only it).
    expect((await signIns(platformScope('test: charts'), globex)).reduce((sum, h) => sum + h.total, 0)).toBe(1);
    expect(await consents(platformScope('test: charts'), globex)).toEqual({ approved: 0, denied: 1, remembered: 0 });
  });
});
