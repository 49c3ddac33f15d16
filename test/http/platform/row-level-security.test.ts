import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { App } from '../../../src/app';
import { customerScope, platformScope } from '../../../src/db/scope';
import { drainAuditOutbox } from '../../../src/audit/audit-drain.job';
import { customerTenant, PLATFORM } from '../../../src/shared/tenant';
import { PLATFORM_TABLES, TENANT_TABLES } from '../../../src/db/tenant-tables';
import { PrivacyRequestKind } from '../../../src/privacy-requests';
import { createLogger } from '../../../src/shared/logger';
import { profileIdOf } from '../../support/sealed';
import { asOwner, createTestCustomer, inContext, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { testAppDatabaseUrl } from '../../support/env';
import { asApp, asPlatform } from '../../support/db-roles';
import { consentForm, postback, startLogin } from '../../support/flow';
import { clientToken } from '../../support/oauth';
import { operatorToken } from '../../support/operators';
import { npmOpenid } from '../../support/rp';
import * as openidClient from 'openid-client';
import { authorizationUrl, discoverRp, registerRp, signIn } from '../../support/oidc-flow';

/**
 * The second wall of tenant isolation (issue #5, 6b): PostgreSQL itself refuses one customer's rows
 * to a transaction working for another, even for SQL with no WHERE clause at all, as the service's
 * own role. These tests bypass the service and speak SQL as that role.
 */
describe('row-level security under the application role', () => {
  let app: App;
  let a: string;
  let b: string;

  beforeAll(async () => {
    app = await startPublicTestApp({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true' });
    await resetDatabase();
    a = await customerWithData('alpha');
    b = await customerWithData('beta');
    await drainAuditOutbox(app.db, app.services.audit, 1000);
    // A retention run records itself in purge_run, the platform table (it removes nothing here: nothing has expired).
    await app.services.retention.purgeExpired(createLogger('silent'));
  });
  afterAll(() => app.stop());

  /** A customer with rows in every tenant table, made through the service as its users would. */
  async function customerWithData(slug: string): Promise<string> {
    const { customer, apiKey } = await createTestCustomer(app, slug);
    await clientToken(app, customer.id, ['profiles:read']);
    await operatorToken(app, 'VIEWER', customer.id);
    const login = await startLogin(app, slug, { extensions: [new npmOpenid.SimpleRegistration({ email: 'required' })] });
    await postback(app, slug, { request_id: login.requestId, api_key: apiKey, username: `${slug}-user`, sreg_email: `${slug}@example.org` });
    const form = consentForm((await login.browser.get(`${app.url}/c/${slug}/ows_return?request_id=${login.requestId}`)).body);
    await login.browser.postForm(`${app.url}/c/${slug}/ows_consent`, [['auth_request', form.authRequest], ['csrf', form.csrf], ['share', 'email'], ['decision', 'allow'], ['remember', 'true']]);
    // An OpenID Connect sign-in, its code redeemed: a used code, a refresh token, the customer's signing keys.
    const rpConfig = await discoverRp(app, slug, await registerRp(app, customer.id));
    const oidc = await authorizationUrl(rpConfig, 'openid email offline_access', { prompt: 'consent' });
    const { location } = await signIn(app, slug, apiKey, oidc.url, { username: `${slug}-user`, sreg_email: `${slug}@example.org` });
    await openidClient.authorizationCodeGrant(rpConfig, location, oidc.checks);
    // A webhook endpoint with a delivery and one (refused) attempt.
    const { endpoint } = await inContext(app, () => app.services.webhooks.endpoints.createEndpoint(customer.id, { url: 'http://127.0.0.1:9/hook', events: ['profile.created'], description: null }, PLATFORM));
    const delivery = await inContext(app, () => app.services.webhooks.deliveries.sendTest(endpoint.id, PLATFORM));
    await app.services.webhooks.dispatcher.deliver(delivery.id, 1);
    // A used nonce is recorded only by stateless verification, which this RP does not do: add one as it would be.
    await ownerSql(`insert into openid_nonce (customer_id, nonce, expires_at) values (?, ?, now() + interval '1 hour')`, [customer.id, `2026-12-01T00:00:00Z${slug}`]);
    // Sign-ins already purged, folded into their hour's counts as the purge leaves them.
    await ownerSql(`insert into sign_in_hour_count (customer_id, hour_start, succeeded, declined) values (?, date_trunc('hour', now() at time zone 'UTC') at time zone 'UTC' - interval '1 hour', 2, 1)`, [customer.id]);
    // A profile export request.
    const profile = await profileIdOf(app, `${slug}-user`, customer.id);
    await app.db.run(customerScope(customer.id), () => app.services.exports.request(profile, customerTenant(customer.id)));
    // A request from the person's privacy center (issue 22), as the center records it.
    const subjectHash = app.services.audit.subjectHash(customer.id, `${slug}-user`);
    await app.db.run(customerScope(customer.id), () =>
      app.services.privacyRequests.receive({ customerId: customer.id, profileId: profile, subjectHash, kind: PrivacyRequestKind.OBJECTION, status: 'PENDING_REVIEW' }),
    );
    // A deletion request (this app runs no worker, so it stays PENDING), of another person: it shreds that person's key at once.
    const leaving = await startLogin(app, slug);
    await postback(app, slug, { request_id: leaving.requestId, api_key: apiKey, username: `${slug}-leaver` });
    const leaver = await profileIdOf(app, `${slug}-leaver`, customer.id);
    await inContext(app, () => app.services.erasure.requestProfileDeletion(leaver, PLATFORM));
    return customer.id;
  }

  const customerOf = (table: string, row: Record<string, unknown>) => String(row[TENANT_TABLES.find(([t]) => t === table)![1]]);
  /** Every column ids_app may read: all of them, but the API-key hash. */
  const allReadable = (table: string) => (table === 'customer_api_key' ? 'select id, customer_id, created_at, expires_at from customer_api_key' : `select * from "${table}"`);

  it('covers every table of the schema but the migrations table: tenant tables with their policy, platform tables with theirs', async () => {
    const tables = await ownerSql(
      `select c.relname as name, c.relrowsecurity as rls, array(select p.polname::text from pg_policy p where p.polrelid = c.oid order by 1) as policies
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'r' and c.relname <> 'mikro_orm_migrations' order by 1`,
    );
    expect(tables.map((t) => t.name)).toEqual([...TENANT_TABLES.map(([t]) => t), ...PLATFORM_TABLES].sort());
    for (const table of tables) {
      const policy = PLATFORM_TABLES.includes(table.name) ? 'platform_only' : 'tenant_isolation';
      expect({ table: table.name, rls: table.rls, policies: table.policies }).toEqual({ table: table.name, rls: true, policies: [policy] });
    }
  });

  it('keeps platform tables from ids_app whatever it sets: only the platform role sees or writes them', async () => {
    for (const table of PLATFORM_TABLES) {
      // There are rows, so an empty answer below is the policy at work.
      expect({ table, rows: (await ownerSql(`select count(*)::int as n from "${table}"`))[0].n > 0 }).toEqual({ table, rows: true });
      for (const settings of [{ 'app.customer_id': a }, { 'app.customer_id': b }, {}, { 'app.platform': 'on' }] as Array<Record<string, string>>) {
        const rows = await asApp(settings, async (c) => (await c.query(`select count(*)::int as n from "${table}"`)).rows[0].n);
        expect({ table, settings, rows }).toEqual({ table, settings, rows: 0 });
        expect(await asApp(settings, async (c) => (await c.query(`delete from "${table}"`)).rowCount)).toBe(0);
      }
      const platformRows = await asPlatform(async (c) => (await c.query(`select count(*)::int as n from "${table}"`)).rows[0].n);
      expect(platformRows).toBeGreaterThan(0);
    }
    await asApp({ 'app.customer_id': a }, async (c) => {
      await expect(
        c.query(`insert into purge_run (id, job, started_at, finished_at, removed, failures) values (gen_random_uuid(), 'planted', now(), now(), '{}', '{}')`),
      ).rejects.toThrow(/row-level security/);
    });
  });

  it('connects as a role that owns nothing, is no superuser and cannot bypass the policies', async () => {
    const [role] = await asApp({}, async (c) => (await c.query(`select rolname, rolsuper, rolbypassrls from pg_roles where rolname = current_user`)).rows);
    expect(role).toEqual({ rolname: 'ids_app', rolsuper: false, rolbypassrls: false });
    expect(await ownerSql(`select tablename from pg_tables where schemaname = 'public' and tableowner = 'ids_app'`)).toEqual([]);
    await expect(asApp({}, (c) => c.query('select * from mikro_orm_migrations'))).rejects.toThrow(/permission denied/);
  });

  it('runs the platform path as a role of its own that bypasses the policies, owns nothing, is no superuser, and that ids_app cannot become', async () => {
    const [role] = await asPlatform(async (c) => (await c.query(`select rolname, rolsuper, rolbypassrls from pg_roles where rolname = current_user`)).rows);
    expect(role).toEqual({ rolname: 'ids_platform', rolsuper: false, rolbypassrls: true });
    expect(await ownerSql(`select tablename from pg_tables where schemaname = 'public' and tableowner = 'ids_platform'`)).toEqual([]);
    await expect(asPlatform((c) => c.query('select * from mikro_orm_migrations'))).rejects.toThrow(/permission denied/);
    expect(await ownerSql(`select pg_has_role('ids_app', 'ids_platform', 'member') as member`)).toEqual([{ member: false }]);
    // The services hold the ids_app ORM's EntityManager: inside a platform transaction it reaches the platform pool.
    const [who] = await app.db.run(platformScope('test: whoami'), () => app.orm.em.execute<Array<{ role: string }>>('select current_user as role'));
    expect(who).toEqual({ role: 'ids_platform' });
    const [service] = await app.db.run(customerScope(a), () => app.orm.em.execute<Array<{ role: string }>>('select current_user as role'));
    expect(service).toEqual({ role: 'ids_app' });
  });

  it("with app.customer_id set to A, a bare SELECT of any tenant table returns A's rows and none of B's", async () => {
    for (const [table] of TENANT_TABLES) {
      const everything = await ownerSql(`select * from "${table}"`);
      // Both customers have rows here, so an empty answer could not pass for isolation.
      expect({ table, a: everything.some((r) => customerOf(table, r) === a), b: everything.some((r) => customerOf(table, r) === b) }).toEqual({ table, a: true, b: true });
      const seen = await asApp({ 'app.customer_id': a }, async (c) => (await c.query(allReadable(table))).rows);
      expect({ table, customers: [...new Set(seen.map((r) => customerOf(table, r)))] }).toEqual({ table, customers: [a] });
      expect(seen).toHaveLength(everything.filter((r) => customerOf(table, r) === a).length);
    }
  });

  it('without a scope a transaction sees no row at all, and the platform role sees both customers', async () => {
    for (const [table] of TENANT_TABLES) {
      expect({ table, rows: await asApp({}, async (c) => (await c.query(`select count(*)::int as n from "${table}"`)).rows[0].n) }).toEqual({ table, rows: 0 });
      const customers = await asPlatform(async (c) => (await c.query(`select * from "${table}"`)).rows.map((r) => customerOf(table, r)));
      expect(new Set(customers)).toEqual(new Set([a, b]));
    }
  });

  /**
   * What SQL run as ids_app (injected, or through a leaked DATABASE_URL) may change about its own
   * session. Each is tried inside a transaction working for A; those marked `refused` must fail.
   */
  const TAMPERING: ReadonlyArray<{ name: string; sql: string; refused?: true }> = [
    { name: 'app.platform on for the session', sql: `select set_config('app.platform', 'on', false)` },
    { name: 'app.platform on for the transaction', sql: `select set_config('app.platform', 'on', true)` },
    { name: 'SET LOCAL app.platform', sql: `set local app.platform = 'on'` },
    { name: 'SET app.platform', sql: `set app.platform = on` },
    { name: 'row_security off', sql: `set row_security = off` },
    { name: 'SET LOCAL row_security off', sql: `set local row_security = off` },
    { name: 'SET ROLE ids_platform', sql: `set role ids_platform`, refused: true },
    { name: 'SET ROLE postgres', sql: `set role postgres`, refused: true },
    { name: 'SET SESSION AUTHORIZATION ids_platform', sql: `set session authorization ids_platform`, refused: true },
    { name: 'SET SESSION AUTHORIZATION postgres', sql: `set session authorization postgres`, refused: true },
    { name: 'ALTER ROLE ids_app BYPASSRLS', sql: `alter role ids_app bypassrls`, refused: true },
  ];

  it('shows no other customer\'s row and no API-key hash, whatever setting an ids_app session changes', async () => {
    const keyHashes: string[] = (await ownerSql(`select key_hash from customer_api_key`)).map((r) => r.key_hash as string);
    expect(keyHashes.length).toBeGreaterThanOrEqual(2);
    const client = new Client({ connectionString: testAppDatabaseUrl() });
    await client.connect();
    try {
      for (const tamper of TAMPERING) {
        await client.query('begin');
        // As the service opens a unit of work for A.
        await client.query(`select set_config('app.customer_id', $1, true)`, [a]);
        await client.query('savepoint tamper');
        const refused = await client.query(tamper.sql).then(
          () => false,
          () => true,
        );
        if (refused) await client.query('rollback to savepoint tamper');
        expect({ tamper: tamper.name, refused }).toEqual({ tamper: tamper.name, refused: tamper.refused ?? false });
        expect((await client.query(`select current_user as role`)).rows).toEqual([{ role: 'ids_app' }]);
        for (const [table] of [...TENANT_TABLES, ...PLATFORM_TABLES.map((t) => [t, 'id'] as const)]) {
          await client.query('savepoint look');
          // A refused query shows nothing: that counts as isolation too (row_security = off refuses instead of filtering).
          const rows: Array<Record<string, unknown>> = await client.query(`select * from "${table}"`).then(
            (r) => r.rows,
            async () => {
              await client.query('rollback to savepoint look');
              return [];
            },
          );
          const strangers = PLATFORM_TABLES.includes(table) ? rows : rows.filter((r) => customerOf(table, r) !== a);
          expect({ tamper: tamper.name, table, strangers }).toEqual({ tamper: tamper.name, table, strangers: [] });
          const dump = JSON.stringify(rows);
          expect({ tamper: tamper.name, table, hashes: keyHashes.filter((h) => dump.includes(h)) }).toEqual({ tamper: tamper.name, table, hashes: [] });
        }
        // The hash column itself is refused, even for A's own keys.
        expect((await client.query(`select has_column_privilege('customer_api_key', 'key_hash', 'select') as readable`)).rows).toEqual([{ readable: false }]);
        await client.query('savepoint look');
        await expect(client.query(`select key_hash from customer_api_key`)).rejects.toThrow(/permission denied|row-level security/);
        await client.query('rollback to savepoint look');
        await client.query('rollback');
      }
      // A session-level setting outlives its transaction: the next one still sees no row without a customer.
      await client.query(`select set_config('app.platform', 'on', false)`);
      for (const [table] of TENANT_TABLES) {
        expect({ table, rows: (await client.query(`select count(*)::int as n from "${table}"`)).rows[0].n }).toEqual({ table, rows: 0 });
      }
    } finally {
      await client.end();
    }
  });

  it('shows no row at all to a customer id that names no customer, whatever else is set', async () => {
    for (const settings of [{ 'app.customer_id': randomUUID() }, { 'app.customer_id': randomUUID(), 'app.platform': 'on' }] as Array<Record<string, string>>) {
      for (const [table] of TENANT_TABLES) {
        const rows = await asApp(settings, async (c) => (await c.query(allReadable(table))).rows);
        expect({ table, settings, rows }).toEqual({ table, settings, rows: [] });
      }
    }
  });

  it("refuses to write B's rows from A's scope: updates and deletes touch nothing, inserts fail", async () => {
    // B's email as stored (sealed since issue 17): unchanged at the end.
    const stored = await ownerSql(`select email from profile where customer_id = ? and email is not null`, [b]);
    expect(stored).toEqual([{ email: expect.stringMatching(/^ef1\./) }]);
    await asApp({ 'app.customer_id': a }, async (c) => {
      expect((await c.query(`update profile set email = 'stolen@example.org' where customer_id = $1`, [b])).rowCount).toBe(0);
      expect((await c.query(`delete from consent_decision where customer_id = $1`, [b])).rowCount).toBe(0);
      await expect(
        c.query(`insert into profile (id, customer_id, username, created_at, updated_at, last_seen_at) values (gen_random_uuid(), $1, 'planted', now(), now(), now())`, [b]),
      ).rejects.toThrow(/row-level security/);
    });
    // And moving one of A's rows over to B is refused the same way.
    await asApp({ 'app.customer_id': a }, async (c) => {
      await expect(c.query(`update profile set customer_id = $1 where customer_id = $2`, [b, a])).rejects.toThrow(/row-level security/);
    });
    expect(await ownerSql(`select email from profile where customer_id = ? and email is not null`, [b])).toEqual(stored);
  });

  it("holds even when the application forgets its own filter: a platform-wide query in A's transaction finds A's rows only", async () => {
    // The service asked for every customer's profiles (as a resolver with a bug would), in a transaction working for A.
    const page = await app.db.run(customerScope(a), () => app.services.profiles.list({}, 100, null, PLATFORM));
    // (The leaver's key is shredded by their deletion request: their profile shows no username.)
    expect(page.items.map((p) => p.username).filter((u) => u !== null)).toEqual(['alpha-user']);
    expect(page.items.every((p) => p.customerId === a)).toBe(true);
    const platformPage = await app.db.run(platformScope('test: both customers'), () => app.services.profiles.list({}, 100, null, PLATFORM));
    expect(platformPage.items.map((p) => p.username).filter((u) => u !== null).sort()).toEqual(['alpha-user', 'beta-user']);
    expect(new Set(platformPage.items.map((p) => p.customerId))).toEqual(new Set([a, b]));
  });

  it('resolves a customer by slug into the scope of the transaction, and an unknown slug into nobody', async () => {
    await asApp({}, async (c) => {
      expect((await c.query(`select ids_enter_customer('beta') as id`)).rows[0].id).toBe(b);
      expect((await c.query(`select distinct customer_id from profile`)).rows).toEqual([{ customer_id: b }]);
      expect((await c.query(`select ids_enter_customer('no-such-customer') as id`)).rows[0].id).toBeNull();
      expect((await c.query(`select count(*)::int as n from profile`)).rows[0].n).toBe(0);
    });
  });

  it('ends the scope with the transaction, so a pooled connection carries nothing into the next one', async () => {
    const client = new Client({ connectionString: testAppDatabaseUrl() });
    await client.connect();
    try {
      await client.query('begin');
      await client.query(`select set_config('app.customer_id', $1, true)`, [a]);
      await client.query('commit');
      expect((await client.query(`select count(*)::int as n from customer`)).rows[0].n).toBe(0);
    } finally {
      await client.end();
    }
  });

  it('keeps the owner able to see everything for migrations and tests', async () => {
    const counts = await asOwner(async (sql) => (await sql(`select count(distinct customer_id)::int as n from profile`))[0].n as number);
    expect(counts).toBe(2);
  });
});
