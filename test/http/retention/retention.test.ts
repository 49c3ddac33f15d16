import { App } from '../../../src/app';
import { MAX_BATCHES_PER_RUN, Purger, RetentionService } from '../../../src/retention';
import { FixedClock } from '../../../src/shared/clock';
import { createLogger } from '../../../src/shared/logger';
import { createTestCustomer, ownerSql, resetDatabase, startTestApp, tableCounts } from '../../support/app';
import { graphql } from '../../support/graphql';
import { clientToken } from '../../support/oauth';
import { operatorToken } from '../../support/operators';

const NOW = new Date('2030-06-01T12:00:00.000Z');
const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
/** AUTH_REQUEST_RETENTION_HOURS and AUDIT_OUTBOX_RETENTION_HOURS at their default, 24. */
const CUTOFF = new Date(NOW.getTime() - 24 * HOUR);
const at = (base: Date, ms: number) => new Date(base.getTime() + ms).toISOString();
const log = createLogger('silent');

const EXPIRING = [
  'customer_api_key',
  'openid_association',
  'openid_nonce',
  'oauth_access_token',
  'oauth_login_code',
  'oidc_code',
  'oauth_refresh_token',
  'oidc_signing_key',
] as const;
// Expired profile exports are purged by the same run; their own test (profile-export.test.ts) seeds them.
const KINDS = [...EXPIRING, 'auth_request', 'sign_in_hour_count', 'profile_export', 'audit_outbox', 'webhook_delivery'];
/** Offsets from NOW of the seeded expiry times: at or before NOW goes, after it stays. */
const EXPIRY_OFFSETS = { purged: [-HOUR, -1, 0], kept: [1, HOUR] };

/**
 * Authentication requests around the cutoff (NOW - 24 h). Finished ones (COMPLETED, CANCELLED,
 * EXPIRED) count from their last change, unfinished ones from their expiry.
 */
const AUTH_REQUESTS: Array<{ label: string; status: string; updatedAt: string; expiresAt: string; purged: boolean }> = [
  { label: 'completed-at-cutoff', status: 'COMPLETED', updatedAt: at(CUTOFF, 0), expiresAt: at(CUTOFF, 8 * 60000), purged: true },
  { label: 'completed-just-outside', status: 'COMPLETED', updatedAt: at(CUTOFF, -1), expiresAt: at(CUTOFF, 8 * 60000), purged: true },
  { label: 'completed-just-inside', status: 'COMPLETED', updatedAt: at(CUTOFF, 1), expiresAt: at(CUTOFF, 8 * 60000), purged: false },
  { label: 'cancelled-just-outside', status: 'CANCELLED', updatedAt: at(CUTOFF, -1), expiresAt: at(CUTOFF, 8 * 60000), purged: true },
  { label: 'cancelled-just-inside', status: 'CANCELLED', updatedAt: at(CUTOFF, 1), expiresAt: at(CUTOFF, 8 * 60000), purged: false },
  // Expired long ago but only marked EXPIRED recently: it finished recently, so it stays.
  { label: 'expired-just-outside', status: 'EXPIRED', updatedAt: at(CUTOFF, -1), expiresAt: at(CUTOFF, -HOUR), purged: true },
  { label: 'expired-just-inside', status: 'EXPIRED', updatedAt: at(CUTOFF, 1), expiresAt: at(CUTOFF, -HOUR), purged: false },
  { label: 'awaiting-expired-at-cutoff', status: 'AWAITING_AW', updatedAt: at(CUTOFF, -HOUR), expiresAt: at(CUTOFF, 0), purged: true },
  { label: 'awaiting-expired-just-inside', status: 'AWAITING_AW', updatedAt: at(CUTOFF, -HOUR), expiresAt: at(CUTOFF, 1), purged: false },
  { label: 'consent-expired-just-outside', status: 'CONSENT_PENDING', updatedAt: at(CUTOFF, -HOUR), expiresAt: at(CUTOFF, -1), purged: true },
  { label: 'authenticated-live', status: 'AUTHENTICATED', updatedAt: at(NOW, -60000), expiresAt: at(NOW, 5 * 60000), purged: false },
];
/** Offsets from the cutoff of `audited_at` of moved outbox rows. */
const OUTBOX_OFFSETS = { purged: [-HOUR, -1, 0], kept: [1, 24 * HOUR] };

interface Run {
  id: string;
  job: string;
  startedAt: string;
  finishedAt: string;
  removed: Array<{ kind: string; count: number }>;
  failures: Array<{ kind: string; message: string }>;
}
const RUNS = `query($first: Int!, $after: String) {
  purgeRuns(first: $first, after: $after) { nodes { id job startedAt finishedAt removed { kind count } failures { kind message } } pageInfo { hasNextPage endCursor } }
}`;

describe('retention purges', () => {
  let app: App;
  let clock: FixedClock;

  beforeAll(async () => {
    clock = new FixedClock(NOW);
    app = await startTestApp({}, { clock });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    clock.set(NOW);
    await resetDatabase();
  });

  /** A customer (with its live API key, client, token and pending outbox rows) and expired and unexpired rows of every kind. */
  async function seedCustomer(slug: string): Promise<string> {
    const { customer } = await createTestCustomer(app, slug);
    await clientToken(app, customer.id, ['profiles:read']);
    const [{ id: clientId }] = await ownerSql(`select id from oauth_client where customer_id = ?`, [customer.id]);
    const offsets = [...EXPIRY_OFFSETS.purged, ...EXPIRY_OFFSETS.kept];
    for (const [i, offset] of offsets.entries()) {
      const expiresAt = at(NOW, offset);
      const tag = `${slug}-${i}`;
      await ownerSql(`insert into customer_api_key (id, customer_id, key_hash, created_at, expires_at) values (gen_random_uuid(), ?, md5(?) || md5(?), ?, ?)`, [customer.id, tag, 'k', at(NOW, -48 * HOUR), expiresAt]);
      await ownerSql(
        `insert into openid_association (customer_id, handle, assoc_type, secret, is_private, issued_at, expires_at) values (?, ?, 'HMAC-SHA256', '\\x00', false, ?, ?)`,
        [customer.id, `{HMAC-SHA256}{0}{${tag}}`, at(NOW, -48 * HOUR), expiresAt],
      );
      await ownerSql(`insert into openid_nonce (customer_id, nonce, expires_at) values (?, ?, ?)`, [customer.id, `2030-06-01T00:00:00Z${tag}`, expiresAt]);
      await ownerSql(
        `insert into oauth_access_token (id, token_hash, client_id, customer_id, issued_at, expires_at) values (gen_random_uuid(), md5(?) || md5('t'), ?, ?, ?, ?)`,
        [tag, clientId, customer.id, at(NOW, -48 * HOUR), expiresAt],
      );
      await ownerSql(
        `insert into oauth_login_code (id, code_hash, customer_id, username, issued_at, expires_at) values (gen_random_uuid(), md5(?) || md5('c'), ?, 'someone', ?, ?)`,
        [tag, customer.id, at(NOW, -48 * HOUR), expiresAt],
      );
      await ownerSql(
        `insert into oidc_code (id, code_hash, customer_id, client_id, username, request, issued_at, expires_at) values (gen_random_uuid(), md5(?) || md5('o'), ?, ?, 'someone', '{}', ?, ?)`,
        [tag, customer.id, clientId, at(NOW, -48 * HOUR), expiresAt],
      );
      await ownerSql(
        `insert into oauth_refresh_token (id, token_hash, customer_id, client_id, grant_id, subject, issued_at, expires_at) values (gen_random_uuid(), md5(?) || md5('f'), ?, ?, gen_random_uuid(), 'sealed', ?, ?)`,
        [tag, customer.id, clientId, at(NOW, -48 * HOUR), expiresAt],
      );
      // A signing key retired and unpublished at expiresAt.
      await ownerSql(
        `insert into oidc_signing_key (id, customer_id, kid, alg, public_jwk, private_jwk, created_at, activates_at, retires_at, expires_at) values (gen_random_uuid(), ?, ?, 'ES256', '{}', 'sealed', ?, ?, ?, ?)`,
        [customer.id, `kid-${tag}`, at(NOW, -48 * HOUR), at(NOW, -48 * HOUR), at(NOW, -47 * HOUR), expiresAt],
      );
    }
    for (const r of AUTH_REQUESTS) {
      const [{ id }] = await ownerSql(
        `insert into auth_request (id, customer_id, request_id_hash, status, mode, realm, return_to, openid_request, created_at, updated_at, expires_at)
         values (gen_random_uuid(), ?, md5(?) || md5('r'), ?, 'checkid_setup', ?, 'https://rp.example/return', '{}', ?, ?, ?) returning id`,
        [customer.id, `${slug}-${r.label}`, r.status, `https://rp.example/${r.label}`, at(new Date(r.expiresAt), -10 * 60000), r.updatedAt, r.expiresAt],
      );
      await ownerSql(
        `insert into auth_request_transition (id, auth_request_id, customer_id, event, from_status, to_status, at)
         values (gen_random_uuid(), ?, ?, 'START', null, 'AWAITING_AW', ?), (gen_random_uuid(), ?, ?, 'LAST', 'AWAITING_AW', ?, ?)`,
        [id, customer.id, at(new Date(r.expiresAt), -10 * 60000), id, customer.id, r.status, r.updatedAt],
      );
    }
    for (const offset of [...OUTBOX_OFFSETS.purged, ...OUTBOX_OFFSETS.kept]) {
      await ownerSql(
        `insert into audit_outbox (customer_id, occurred_at, actor_kind, actor_id, action, target_type, audited_at, dispatched_at) values (?, ?, 'SYSTEM', 'test', 'test.moved', 'test', ?, ?)`,
        [customer.id, at(CUTOFF, offset - 1000), at(CUTOFF, offset), at(CUTOFF, offset)],
      );
    }
    // Chained long ago but not yet turned into webhook deliveries: the dispatcher still needs it.
    await ownerSql(
      `insert into audit_outbox (customer_id, occurred_at, actor_kind, actor_id, action, target_type, audited_at) values (?, ?, 'SYSTEM', 'test', 'test.undispatched', 'test', ?)`,
      [customer.id, at(CUTOFF, -48 * HOUR), at(CUTOFF, -47 * HOUR)],
    );
    // Never moved, however old: the audit worker has not chained it yet, so it must stay.
    await ownerSql(`insert into audit_outbox (customer_id, occurred_at, actor_kind, actor_id, action, target_type) values (?, ?, 'SYSTEM', 'test', 'test.pending', 'test')`, [
      customer.id,
      at(CUTOFF, -48 * HOUR),
    ]);
    return customer.id;
  }

  /** What one run removes from the rows of `customers` seeded customers. */
  function expectedRemoval(customers: number): Record<string, number> {
    const authRequests = AUTH_REQUESTS.filter((r) => r.purged).length;
    return {
      ...Object.fromEntries(EXPIRING.map((table) => [table, customers * EXPIRY_OFFSETS.purged.length])),
      auth_request: customers * authRequests,
      // Rolled-up counts older than 8 days: none seeded here (sign-in-rollup.test.ts has them).
      sign_in_hour_count: 0,
      profile_export: 0,
      audit_outbox: customers * OUTBOX_OFFSETS.purged.length,
      // FAILED webhook deliveries have their own test below.
      webhook_delivery: 0,
    };
  }

  it('removes exactly the expired rows of every kind, on both sides of each window, and records the run', async () => {
    await seedCustomer('alpha');
    await seedCustomer('beta');
    const before = await tableCounts();

    const result = await app.services.retention.purgeExpired(log);

    const removed = expectedRemoval(2);
    expect(result.removed).toEqual(removed);
    expect(result.failures).toEqual({});
    const after = await tableCounts();
    // Transitions go with their requests (two each); the purged requests are folded into their hours' counts
    // (two hours per customer: see AUTH_REQUESTS' creation times); the run itself adds one purge_run row; nothing else moves.
    const change: Record<string, number> = { ...removed, auth_request_transition: 2 * removed.auth_request, sign_in_hour_count: -2 * 2 };
    const expected = Object.fromEntries(Object.entries(before).map(([table, n]) => [table, n - (change[table] ?? 0) + (table === 'purge_run' ? 1 : 0)]));
    expect(after).toEqual(expected);

    // The survivors are the right ones, not just the right number.
    const realms = (await ownerSql(`select distinct realm from auth_request order by 1`)).map((r) => r.realm);
    expect(realms).toEqual(AUTH_REQUESTS.filter((r) => !r.purged).map((r) => `https://rp.example/${r.label}`).sort());
    expect(await ownerSql(`select count(*)::int as n from auth_request_transition t left join auth_request r on r.id = t.auth_request_id where r.id is null`)).toEqual([{ n: 0 }]);
    for (const table of EXPIRING) {
      const [row] = await ownerSql(`select count(*) filter (where expires_at <= ?)::int as expired, count(*) filter (where expires_at > ?)::int as live from "${table}"`, [NOW, NOW]);
      expect({ table, ...row }).toEqual({ table, expired: 0, live: 2 * EXPIRY_OFFSETS.kept.length + (table === 'oauth_access_token' ? 2 : 0) });
    }
    const [outbox] = await ownerSql(
      `select count(*) filter (where audited_at <= ? and dispatched_at is not null)::int as old, count(*) filter (where audited_at > ?)::int as recent,
              count(*) filter (where audited_at is null and action = 'test.pending')::int as pending, count(*) filter (where action = 'test.undispatched')::int as undispatched from audit_outbox`,
      [CUTOFF, CUTOFF],
    );
    expect(outbox).toEqual({ old: 0, recent: 2 * OUTBOX_OFFSETS.kept.length, pending: 2, undispatched: 2 });

    const runs = await ownerSql(`select id, job, started_at, finished_at, removed, failures from purge_run`);
    expect(runs).toEqual([{ id: result.id, job: 'purge-expired', started_at: NOW, finished_at: NOW, removed, failures: {} }]);
  });

  it('a second run removes nothing and records zeros for every kind', async () => {
    await seedCustomer('alpha');
    await app.services.retention.purgeExpired(log);
    const before = await tableCounts();

    const second = await app.services.retention.purgeExpired(log);

    expect(second.removed).toEqual(Object.fromEntries(KINDS.map((kind) => [kind, 0])));
    expect(await tableCounts()).toEqual({ ...before, purge_run: before.purge_run + 1 });
    const [row] = await ownerSql(`select removed, failures from purge_run where id = ?`, [second.id]);
    expect(row).toEqual({ removed: Object.fromEntries(KINDS.map((kind) => [kind, 0])), failures: {} });
  });

  it('removes at most MAX_BATCHES_PER_RUN batches of a kind per run and leaves the rest to the next run', async () => {
    const customerId = await seedCustomer('alpha');
    const backlog = 2 * MAX_BATCHES_PER_RUN + 7;
    await ownerSql(`insert into openid_nonce (customer_id, nonce, expires_at) select ?, 'backlog-' || g, ? from generate_series(1, ?) g`, [customerId, at(NOW, -HOUR), backlog]);
    const smallBatches = new RetentionService({ db: app.db, em: app.orm.em, clock, purgers: app.services.retention.purgers, batchSize: 2 });

    const first = await smallBatches.purgeExpired(log);
    expect(first.removed.openid_nonce).toBe(2 * MAX_BATCHES_PER_RUN);
    const second = await smallBatches.purgeExpired(log);
    expect(second.removed.openid_nonce).toBe(backlog + EXPIRY_OFFSETS.purged.length - 2 * MAX_BATCHES_PER_RUN);
    expect(await ownerSql(`select count(*)::int as n from openid_nonce where expires_at <= ?`, [NOW])).toEqual([{ n: 0 }]);
  });

  it('keeps purging the other kinds when one fails, and records the failure in the run', async () => {
    await seedCustomer('alpha');
    const broken: Purger = {
      name: 'broken_kind',
      purge: () => app.db.run({ kind: 'platform', reason: 'test: broken purger', routine: true }, async () => (await app.orm.em.execute('delete from no_such_table')).length),
    };
    const [first, ...rest] = app.services.retention.purgers;

    const result = await app.services.retention.purgeExpired(log, [first, broken, ...rest]);

    expect(result.removed).toEqual({ ...expectedRemoval(1), broken_kind: 0 });
    expect(Object.keys(result.failures)).toEqual(['broken_kind']);
    // By its SQLSTATE (undefined_table), never by the statement: a statement can carry personal values.
    expect(result.failures.broken_kind).toBe('database error 42P01');
    const [row] = await ownerSql(`select removed, failures from purge_run where id = ?`, [result.id]);
    expect(row).toEqual({ removed: result.removed, failures: result.failures });
  });

  it('removes FAILED webhook deliveries, with their attempts, once they have been failed for WEBHOOK_FAILED_RETENTION_DAYS (7), in batches', async () => {
    const { customer } = await createTestCustomer(app, 'alpha');
    const [{ id: endpointId }] = await ownerSql(
      `insert into webhook_endpoint (id, customer_id, url, events, secret, created_at, updated_at) values (gen_random_uuid(), ?, 'https://hooks.example.com/in', '{profile.created}', '\\x00', ?, ?) returning id`,
      [customer.id, at(NOW, -60 * DAY), at(NOW, -60 * DAY)],
    );
    const cutoff = new Date(NOW.getTime() - 7 * DAY);
    const deliveries = [
      { label: 'failed-long-ago', status: 'FAILED', completedAt: at(cutoff, -DAY), purged: true },
      { label: 'failed-just-outside', status: 'FAILED', completedAt: at(cutoff, -1), purged: true },
      { label: 'failed-at-cutoff', status: 'FAILED', completedAt: at(cutoff, 0), purged: true },
      { label: 'failed-just-inside', status: 'FAILED', completedAt: at(cutoff, 1), purged: false },
      { label: 'failed-today', status: 'FAILED', completedAt: at(NOW, -HOUR), purged: false },
      { label: 'succeeded-long-ago', status: 'SUCCEEDED', completedAt: at(cutoff, -30 * DAY), purged: false },
      { label: 'pending-old', status: 'PENDING', completedAt: null, purged: false },
    ];
    for (const d of deliveries) {
      const [{ id }] = await ownerSql(
        `insert into webhook_delivery (id, customer_id, endpoint_id, event_id, event_type, body, status, attempts, created_at, completed_at)
         values (gen_random_uuid(), ?, ?, gen_random_uuid(), ?, '{}', ?, 1, ?, ?) returning id`,
        [customer.id, endpointId, d.label, d.status, at(NOW, -40 * DAY), d.completedAt],
      );
      await ownerSql(`insert into webhook_attempt (id, customer_id, delivery_id, attempted_at, status_code, latency_ms) values (gen_random_uuid(), ?, ?, ?, 503, 5)`, [
        customer.id,
        id,
        d.completedAt ?? at(NOW, -40 * DAY),
      ]);
    }
    const oneByOne = new RetentionService({ db: app.db, em: app.orm.em, clock, purgers: app.services.retention.purgers, batchSize: 1 });

    const result = await oneByOne.purgeExpired(log);

    expect(result.removed.webhook_delivery).toBe(deliveries.filter((d) => d.purged).length);
    expect((await ownerSql(`select event_type from webhook_delivery order by 1`)).map((r) => r.event_type)).toEqual(deliveries.filter((d) => !d.purged).map((d) => d.label).sort());
    expect(await ownerSql(`select count(*)::int as n from webhook_attempt a left join webhook_delivery d on d.id = a.delivery_id where d.id is null`)).toEqual([{ n: 0 }]);
    expect(await ownerSql(`select count(*)::int as n from webhook_attempt`)).toEqual([{ n: deliveries.filter((d) => !d.purged).length }]);
    expect(await ownerSql(`select count(*)::int as n from webhook_endpoint`)).toEqual([{ n: 1 }]);
  });

  describe('purgeRuns', () => {
    it('lists the runs newest first, page by page, to the platform operator', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        ids.push((await app.services.retention.purgeExpired(log)).id);
        clock.advance(60000);
      }
      const page1 = await graphql<{ purgeRuns: { nodes: Run[]; pageInfo: { hasNextPage: boolean; endCursor: string } } }>(app.url!, RUNS, { first: 2 });
      expect(page1.errors).toBeUndefined();
      expect(page1.data!.purgeRuns.nodes.map((r) => r.id)).toEqual([ids[2], ids[1]]);
      expect(page1.data!.purgeRuns.pageInfo.hasNextPage).toBe(true);
      expect(page1.data!.purgeRuns.nodes[0]).toEqual({
        id: ids[2],
        job: 'purge-expired',
        startedAt: at(NOW, 120000),
        finishedAt: at(NOW, 120000),
        removed: [...KINDS].sort().map((kind) => ({ kind, count: 0 })),
        failures: [],
      });
      const page2 = await graphql<{ purgeRuns: { nodes: Run[]; pageInfo: { hasNextPage: boolean } } }>(app.url!, RUNS, { first: 2, after: page1.data!.purgeRuns.pageInfo.endCursor });
      expect(page2.data!.purgeRuns.nodes.map((r) => r.id)).toEqual([ids[0]]);
      expect(page2.data!.purgeRuns.pageInfo.hasNextPage).toBe(false);
    });

    it('is refused to customer-bound operators and OAuth clients, even owners, with FORBIDDEN', async () => {
      const customerId = await seedCustomer('alpha');
      await app.services.retention.purgeExpired(log);
      const owner = await operatorToken(app, 'OWNER', customerId);
      const { token } = await clientToken(app, customerId, ['customers:read', 'audit:read']);
      for (const bearer of [owner, token]) {
        const res = await graphql(app.url!, RUNS, { first: 10 }, bearer);
        expect(res.data).toBeNull();
        expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      }
    });

    it('refuses a bad page size or cursor with BAD_USER_INPUT', async () => {
      for (const variables of [{ first: 0 }, { first: 101 }, { first: 10, after: 'not-a-cursor' }]) {
        const res = await graphql(app.url!, RUNS, variables);
        expect({ variables, code: res.errors?.[0]?.extensions?.code }).toEqual({ variables, code: 'BAD_USER_INPUT' });
      }
    });
  });
});
