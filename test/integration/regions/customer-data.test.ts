import { Pool } from 'pg';
import { App } from '../../../src/app';
import { drainAuditOutbox } from '../../../src/audit/audit-drain.job';
import { TENANT_TABLES } from '../../../src/db/tenant-tables';
import { platformScope } from '../../../src/db/scope';
import { createSqlPool, SqlPool } from '../../../src/db/sql-pool';
import { sweepProfileExports } from '../../../src/exports';
import { PrivacyRequestKind } from '../../../src/privacy-requests';
import { fieldAad, openText } from '../../../src/keys';
import { copyCustomerData, customerDataDigest, CustomerTableDigest, eraseCustomerData } from '../../../src/regions/customer-data.repository';
import { createLogger } from '../../../src/shared/logger';
import { PLATFORM } from '../../../src/shared/tenant';
import { createTestCustomer, inContext, ownerSql, resetDatabase, startPublicTestApp, startTestApp } from '../../support/app';
import { testDatabaseUrl } from '../../support/env';
import { consentForm, postback, startLogin } from '../../support/flow';
import { clientToken } from '../../support/oauth';
import { operatorToken } from '../../support/operators';
import { npmOpenid } from '../../support/rp';
import { usernameHash } from '../../support/sealed';

const MOVING = 'acme-moving-7c1';
const STAYING = 'globex-stays-4e9';
const ALICE = { username: 'alice-moves-31f', email: 'alice@moves.example', fullname: 'Alice Mover' };
const BOB = { username: 'bob-stays-8d2', email: 'bob@stays.example' };

/**
 * Issue 18: a customer's rows move from one regional database to another. The copy is byte for
 * byte (the digests of both sides agree, the audit chain verifies in the target, sealed values open
 * there), it can be run again over a half-done one, and the erasure of the source leaves nothing of
 * the customer in any table, while the customer next to it is untouched. Only the platform path,
 * declaring the move, may delete audit events; the service's role still cannot.
 */
describe('moving a customer between regional databases', () => {
  let app: App;
  let target: App;
  let source: SqlPool;
  let targetPool: SqlPool;
  let targetOwner: Pool;
  const targetUrl = new URL(testDatabaseUrl());
  targetUrl.pathname = `${targetUrl.pathname}_region_b`;
  const targetName = decodeURIComponent(targetUrl.pathname.slice(1));
  const as = (url: URL, user: string) => Object.assign(new URL(url), { username: user, password: '' }).toString();
  let moving: { id: string; apiKey: string };
  let staying: { id: string; apiKey: string };
  const newCustomer = async (slug: string) => {
    const { customer, apiKey } = await createTestCustomer(app, slug);
    return { id: customer.id, apiKey };
  };

  beforeAll(async () => {
    // The second region: a copy of this run's migrated database (the template every worker's copy comes from).
    const template = decodeURIComponent(new URL(process.env.IDS_TEST_DATABASE_URL!).pathname.slice(1));
    await ownerSql(`drop database if exists "${targetName}" with (force)`);
    await ownerSql(`create database "${targetName}" template "${template}"`);
    targetOwner = new Pool({ connectionString: targetUrl.toString(), max: 2 });
    app = await startPublicTestApp({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true' });
    target = await startTestApp({ DATABASE_URL: as(targetUrl, 'ids_app'), PLATFORM_DATABASE_URL: as(targetUrl, 'ids_platform'), MIGRATION_DATABASE_URL: targetUrl.toString() });
    source = createSqlPool(as(new URL(testDatabaseUrl()), 'ids_platform'), 2, 30_000, createLogger('silent'));
    targetPool = createSqlPool(as(targetUrl, 'ids_platform'), 2, 30_000, createLogger('silent'));
  });
  afterAll(async () => {
    await Promise.all([app?.stop(), target?.stop(), source?.end(), targetPool?.end(), targetOwner?.end()]);
    await ownerSql(`drop database if exists "${targetName}" with (force)`);
  });
  beforeEach(async () => {
    await resetDatabase();
    const tables = await targetOwner.query<{ name: string }>(
      `select format('%I.%I', schemaname, tablename) as name from pg_tables where schemaname in ('public', 'keyring') and tablename <> 'mikro_orm_migrations'`,
    );
    await targetOwner.query(`truncate ${tables.rows.map((t) => t.name).join(', ')} cascade`);
    moving = await newCustomer(MOVING);
    staying = await newCustomer(STAYING);
  });

  /** A full sign-in with consent (remembered): auth request and its timeline, posted values, consent, profile, login code, person key. */
  async function signIn(slug: string, apiKey: string, person: { username: string; email: string; fullname?: string }) {
    const login = await startLogin(app, slug, { extensions: [new npmOpenid.SimpleRegistration({ email: 'required', fullname: 'optional' })] });
    const fields = { request_id: login.requestId, api_key: apiKey, username: person.username, sreg_email: person.email, ...(person.fullname ? { sreg_fullname: person.fullname } : {}) };
    expect((await postback(app, slug, fields)).status).toBe(200);
    let answer = await login.browser.get(`${app.url}/c/${slug}/ows_return?request_id=${login.requestId}`);
    // The consent page the first time; a remembered consent answers at once after that.
    if (answer.status === 200) {
      const form = consentForm(answer.body);
      answer = await login.browser.postForm(`${app.url}/c/${slug}/ows_consent`, [['auth_request', form.authRequest], ['csrf', form.csrf], ['share', 'email'], ['decision', 'allow'], ['remember', 'true']]);
    }
    expect(answer.status).toBe(302);
  }

  /** Both customers with a webhook endpoint, an OAuth client and token, an operator token, signed-in people, a drained trail, deliveries and an export; one event still in the outbox. */
  async function arrange(): Promise<{ profileId: string; personKeyId: string }> {
    for (const c of [moving, staying]) {
      await inContext(app, () => app.services.webhooks.endpoints.createEndpoint(c.id, { url: 'http://127.0.0.1:9/hook', events: ['profile.created', 'login.succeeded'], description: null }, PLATFORM));
      await clientToken(app, c.id, ['profiles:read']);
      await operatorToken(app, 'ADMIN', c.id);
    }
    await signIn(MOVING, moving.apiKey, ALICE);
    await signIn(STAYING, staying.apiKey, BOB);
    // Sign-ins already purged, as the purge folds them into their hours' counts.
    for (const c of [moving, staying]) {
      await ownerSql(`insert into sign_in_hour_count (customer_id, hour_start, succeeded, declined, expired) values (?, date_trunc('hour', now() at time zone 'UTC') at time zone 'UTC' - interval '2 hours', 3, 1, 2), (?, date_trunc('hour', now() at time zone 'UTC') at time zone 'UTC' - interval '1 hour', 1, 0, 0)`, [c.id, c.id]);
    }
    await app.db.run(platformScope('test: webhook dispatch'), () => app.services.webhooks.dispatcher.dispatch(1000));
    await drainAuditOutbox(app.db, app.services.audit, 1000);
    const [profile] = await ownerSql(`select id, person_key_id from profile where customer_id = ?`, [moving.id]);
    await inContext(app, () => app.services.exports.request(profile.id, PLATFORM));
    expect(await sweepProfileExports(app.db, app.services.exports)).toBe(1);
    // A request from the person's privacy center (issue 22): it moves with the customer.
    await inContext(app, () =>
      app.services.privacyRequests.receive({ customerId: moving.id, profileId: profile.id, subjectHash: app.services.audit.subjectHash(moving.id, ALICE.username), kind: PrivacyRequestKind.OBJECTION, status: 'PENDING_REVIEW' }),
    );
    await signIn(MOVING, moving.apiKey, { ...ALICE, email: 'alice.second@moves.example' }); // its events stay in the outbox
    return { profileId: profile.id as string, personKeyId: profile.person_key_id as string };
  }

  const rowsOf = (digest: ReadonlyArray<{ table: string; rows: number }>) => Object.fromEntries(digest.map((d) => [d.table, d.rows]));
  const total = (digest: CustomerTableDigest[]) => digest.reduce((sum, d) => sum + d.rows, 0);

  /** Every row of every table of a database, as the owner reads it (`row::text`, not the digest's JSON): where a test looks for what is left. */
  async function everyRow(query: (sql: string) => Promise<Array<Record<string, string>>>): Promise<string[]> {
    const tables = await query(`select format('%I.%I', schemaname, tablename) as name from pg_tables where schemaname in ('public', 'keyring')`);
    const rows: string[] = [];
    for (const { name } of tables) rows.push(...(await query(`select t::text as r from ${name} t`)).map((row) => `${name} ${row.r}`));
    return rows;
  }

  it('copies every row as it is: the digests agree, sealed values open and the audit chain verifies in the target', async () => {
    const alice = await arrange();
    const before = await customerDataDigest(source, moving.id);
    expect(before.map((d) => d.table)).toEqual([...TENANT_TABLES.map(([table]) => table), 'keyring.customer_key', 'keyring.person_key']);
    for (const table of ['customer', 'customer_api_key', 'auth_request', 'auth_request_transition', 'consent_decision', 'profile', 'oauth_client', 'oauth_access_token', 'operator_token',
      'audit_outbox', 'audit_event', 'audit_payload', 'webhook_endpoint', 'webhook_delivery', 'profile_export', 'sign_in_hour_count', 'privacy_request', 'keyring.customer_key', 'keyring.person_key']) {
      expect({ table, hasRows: rowsOf(before)[table]! > 0 }).toEqual({ table, hasRows: true });
    }

    const pending = (await ownerSql(`select count(*)::int as n from audit_outbox where customer_id = ? and audited_at is null`, [moving.id]))[0].n as number;
    expect(pending).toBeGreaterThan(0);

    const copied = await copyCustomerData(source, targetPool, moving.id);
    expect(rowsOf(copied)).toEqual(rowsOf(before));
    expect(await customerDataDigest(targetPool, moving.id)).toEqual(before);
    expect(total(await customerDataDigest(targetPool, staying.id))).toBe(0);
    // Compared another way than the digest: each row's text as the owner reads it, on both sides.
    for (const [table, column] of TENANT_TABLES.filter(([table]) => table !== 'audit_outbox')) {
      const sql = `select t::text as r from "${table}" t where "${column}" = $1 order by 1`;
      const [here, there] = await Promise.all([ownerSql(sql.replace('$1', '?'), [moving.id]), targetOwner.query(sql, [moving.id]).then((r) => r.rows)]);
      expect({ table, rows: there }).toEqual({ table, rows: here });
    }

    const [stored] = (await targetOwner.query(`select email from profile where id = $1`, [alice.profileId])).rows;
    const person = await target.services.keys.personById(moving.id, alice.personKeyId);
    expect(openText(person!.key, fieldAad('profile', 'email', alice.profileId), stored.email)).toBe('alice.second@moves.example');
    const verify = () => target.db.run(platformScope('test: verify'), () => target.services.audit.verifyChain(moving.id));
    expect(await verify()).toMatchObject({ ok: true });
    // The events still in the outbox when it moved go onto the chain in the target, after the moved ones.
    expect(await drainAuditOutbox(target.db, target.services.audit, 1000)).toBe(pending);
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('copies again over an earlier copy (a resumed move) and ends with the source as it is now', async () => {
    await arrange();
    await copyCustomerData(source, targetPool, moving.id);
    // The source changed since (a sign-in, its events queued), and the target holds the earlier copy.
    await signIn(MOVING, moving.apiKey, { ...ALICE, email: 'alice.third@moves.example' });
    const now = await customerDataDigest(source, moving.id);
    expect(await customerDataDigest(targetPool, moving.id)).not.toEqual(now);
    const copied = await copyCustomerData(source, targetPool, moving.id);
    expect(rowsOf(copied)).toEqual(rowsOf(now));
    expect(await customerDataDigest(targetPool, moving.id)).toEqual(now);
    // And a third time with nothing changed: the same rows, no duplicates.
    await copyCustomerData(source, targetPool, moving.id);
    expect(await customerDataDigest(targetPool, moving.id)).toEqual(now);
  });

  it("numbers moved outbox rows in the target's own sequence: no clash with the target's rows, before or after", async () => {
    await arrange();
    // A customer already in the target region, with outbox rows numbered by the target.
    const local = '5b0f9a4e-2c7d-4c1e-9f3a-0d6b8e2a7c11';
    const outboxRow = `insert into audit_outbox (customer_id, occurred_at, actor_kind, actor_id, action, target_type) values ($1, now(), 'system', 'test', 'test.event', 'customer')`;
    await targetOwner.query(
      `insert into customer (id, slug, name, verify_url, region, prompt_policy, trusted_realms, return_to_verification, created_at, updated_at)
       values ($1, 'initech-local', 'Initech', 'https://x.example/verify', 'NA', 'PROMPT', '{}', 'OFF', now(), now())`,
      [local],
    );
    const ownIds = (await ownerSql(`select id from audit_outbox where customer_id = ? order by id`, [moving.id])).map((r) => String(r.id));
    // The target's sequence where the source's was: its rows take the very numbers the moving rows have there.
    await targetOwner.query(`select setval('audit_outbox_id_seq', $1, false)`, [ownIds[0]]);
    for (let i = 0; i < 5; i++) await targetOwner.query(outboxRow, [local]);
    const localIds = (await targetOwner.query(`select id from audit_outbox`)).rows.map((r) => String(r.id));
    expect(localIds).toContain(ownIds[0]);

    await copyCustomerData(source, targetPool, moving.id);
    expect(await customerDataDigest(targetPool, moving.id)).toEqual(await customerDataDigest(source, moving.id));
    // The target keeps numbering after the moved rows.
    await targetOwner.query(outboxRow, [local]);
    const moved = (await targetOwner.query(`select id from audit_outbox where customer_id = $1 order by id`, [moving.id])).rows.map((r) => Number(r.id));
    expect(Math.min(...moved)).toBeGreaterThan(Math.max(...localIds.map(Number)));
    expect(moved).toHaveLength(ownIds.length);
  });

  it('travels in pages: more rows than one page holds arrive whole, the outbox in its order', async () => {
    await ownerSql(`insert into openid_nonce (customer_id, nonce, expires_at) select ?, 'nonce-' || g, now() + interval '1 hour' from generate_series(1, 2500) g`, [moving.id]);
    await ownerSql(
      `insert into audit_outbox (customer_id, occurred_at, actor_kind, actor_id, action, target_type)
       select ?, now(), 'system', 'test', 'test.event-' || g, 'customer' from generate_series(1, 1200) g`,
      [moving.id],
    );
    const copied = await copyCustomerData(source, targetPool, moving.id);
    expect(rowsOf(copied)).toMatchObject({ openid_nonce: 2500, audit_outbox: 1201 }); // and the customer's creation event
    expect(await customerDataDigest(targetPool, moving.id)).toEqual(await customerDataDigest(source, moving.id));
    const order = `select action from audit_outbox where customer_id = $1 order by id`;
    expect((await targetOwner.query(order, [moving.id])).rows).toEqual(await ownerSql(order.replace('$1', '?'), [moving.id]));
  });

  it('commits nothing of a copy that fails part way (the slug is taken in the target)', async () => {
    await arrange();
    await targetOwner.query(
      `insert into customer (id, slug, name, verify_url, region, prompt_policy, trusted_realms, return_to_verification, created_at, updated_at)
       values (gen_random_uuid(), $1, 'Squatter', 'https://x.example/verify', 'NA', 'PROMPT', '{}', 'OFF', now(), now())`,
      [MOVING],
    );
    await expect(copyCustomerData(source, targetPool, moving.id)).rejects.toMatchObject({ code: '23505' });
    expect(total(await customerDataDigest(targetPool, moving.id))).toBe(0);
  });

  it('erases the source: no table holds anything of the customer, and the other customer is untouched', async () => {
    const alice = await arrange();
    const traces = {
      customerId: moving.id,
      profileId: alice.profileId,
      personKeyId: alice.personKeyId,
      usernameHash: await usernameHash(app, moving.id, ALICE.username),
      subjectHash: app.services.audit.subjectHash(moving.id, ALICE.username),
      slug: MOVING,
    };
    const sourceRows = () => everyRow((sql) => ownerSql(sql));
    const found = (rows: string[]) => Object.fromEntries(Object.entries(traces).map(([name, value]) => [name, rows.filter((row) => row.includes(value)).length]));
    // The scan finds each trace before the erasure…
    expect(Object.values(found(await sourceRows())).every((n) => n > 0)).toBe(true);
    const moved = await customerDataDigest(source, moving.id);
    const neighbour = await customerDataDigest(source, staying.id);
    await copyCustomerData(source, targetPool, moving.id);

    expect(await eraseCustomerData(source, moving.id)).toBe(total(moved));
    // …and none after it, in any table of the source, keyring included.
    expect(found(await sourceRows())).toEqual(Object.fromEntries(Object.keys(traces).map((name) => [name, 0])));
    expect(total(await customerDataDigest(source, moving.id))).toBe(0);
    expect(await customerDataDigest(source, staying.id)).toEqual(neighbour);
    expect(await app.db.run(platformScope('test: verify'), () => app.services.audit.verifyChain(staying.id))).toMatchObject({ ok: true });
    // The target still holds it all.
    expect(await customerDataDigest(targetPool, moving.id)).toEqual(moved);
  });

  it('keeps the audit chain append-only outside a declared move, and to the service role always', async () => {
    await arrange();
    const events = async () => (await ownerSql(`select count(*)::int as n from audit_event where customer_id = ?`, [moving.id]))[0].n as number;
    const before = await events();
    expect(before).toBeGreaterThan(0);
    const attempt = async (url: string, statements: Array<[string, unknown[]]>) => {
      const pool = new Pool({ connectionString: url, max: 1 });
      const client = await pool.connect();
      try {
        await client.query('begin');
        for (const [sql, params] of statements) await client.query(sql, params);
      } finally {
        await client.query('rollback').catch(() => undefined);
        client.release();
        await pool.end();
      }
    };
    const app_ = as(new URL(testDatabaseUrl()), 'ids_app');
    const platform = as(new URL(testDatabaseUrl()), 'ids_platform');
    const enter = (customerId: string): [string, unknown[]] => [`select set_config('app.customer_id', $1, true), set_config('ids.region_move', $1, true)`, [customerId]];
    const refused = { code: '42501' };

    // ids_app, in the customer's scope and naming the move: no delete, no erase function, no keyring export.
    await expect(attempt(app_, [enter(moving.id), [`delete from audit_event where customer_id = $1`, [moving.id]]])).rejects.toMatchObject(refused);
    await expect(attempt(app_, [enter(moving.id), [`select ids_region_move_erase_audit($1)`, [moving.id]]])).rejects.toMatchObject(refused);
    await expect(attempt(app_, [enter(moving.id), [`select * from keyring.ids_region_move_export($1)`, [moving.id]]])).rejects.toMatchObject(refused);
    await expect(attempt(app_, [enter(moving.id), [`select keyring.ids_region_move_import($1, '[]')`, [moving.id]]])).rejects.toMatchObject(refused);
    // ids_platform: no direct delete even in a move; the function only for the customer the move names.
    await expect(attempt(platform, [enter(moving.id), [`delete from audit_event where customer_id = $1`, [moving.id]]])).rejects.toMatchObject(refused);
    await expect(attempt(platform, [[`select ids_region_move_erase_audit($1)`, [moving.id]]])).rejects.toMatchObject(refused);
    await expect(attempt(platform, [enter(staying.id), [`select ids_region_move_erase_audit($1)`, [moving.id]]])).rejects.toMatchObject(refused);
    await expect(attempt(platform, [enter(moving.id), [`select keyring.ids_region_move_import($1, $2::jsonb)`, [moving.id, JSON.stringify([{ key_table: 'customer_key', key_row: { customer_id: staying.id } }])]]])).rejects.toMatchObject(refused);
    expect(await events()).toBe(before);
    // And by grant: the move's functions are the platform role's alone.
    const grants = await ownerSql(
      `select p.oid::regprocedure::text as fn, has_function_privilege('public', p.oid, 'execute') as public_may,
              has_function_privilege('ids_app', p.oid, 'execute') as app_may, has_function_privilege('ids_platform', p.oid, 'execute') as platform_may
         from pg_proc p where p.proname like 'ids\\_region\\_move\\_%' order by 1`,
    );
    expect(grants).toEqual(
      ['ids_region_move_erase_audit(uuid)', 'keyring.ids_region_move_export(uuid)', 'keyring.ids_region_move_import(uuid,jsonb)'].map((fn) => ({ fn, public_may: false, app_may: false, platform_may: true })),
    );
  });
});
