import { openedProfiles, usernameHash } from '../../support/sealed';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { App } from '../../../src/app';
import { drainAuditOutbox } from '../../../src/audit/audit-drain.job';
import { sweepProfileExports } from '../../../src/exports';
import { JOBS, QUEUES } from '../../../src/jobs/queues';
import { SREG_FIELDS } from '../../../src/openid';
import { FixedClock } from '../../../src/shared/clock';
import { createTestCustomer, inContext, ownerSql, resetDatabase, startPublicTestApp, tableCounts } from '../../support/app';
import { consentForm, postback, REALM, startLogin } from '../../support/flow';
import { graphql } from '../../support/graphql';
import { clientToken, seedProfile } from '../../support/oauth';
import { startPrivateRedis } from '../../support/redis-server';
import { npmOpenid } from '../../support/rp';
import { TEST_REDIS_URL, testQueuePrefix } from '../../support/env';
import { waitUntil } from '../../support/wait';

const REQUEST = `mutation($p: ID!) { requestProfileExport(profileId: $p) { profileExport { id profileId customerId status expiresAt downloadUrl } } }`;
const SHOW = `query($id: ID!) { profileExport(id: $id) { id status readyAt expiresAt purgedAt downloadUrl } }`;
const ALL_SCOPES = ['profiles:read', ...SREG_FIELDS.map((f) => `profile.${f}`)];
const DAY_MS = 24 * 3600 * 1000;

interface ExportView {
  id: string;
  status: string;
  readyAt: string | null;
  expiresAt: string | null;
  purgedAt: string | null;
  downloadUrl: string | null;
}

describe('profile exports (portability)', () => {
  let app: App;
  const clock = new FixedClock(new Date('2026-12-01T09:00:00Z'));
  let acme: { id: string; apiKey: string };
  let other: { id: string; apiKey: string };

  beforeAll(async () => {
    app = await startPublicTestApp({}, { clock });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    clock.set(new Date('2026-12-01T09:00:00Z'));
    await resetDatabase();
    const a = await createTestCustomer(app, 'acme');
    const o = await createTestCustomer(app, 'other');
    acme = { id: a.customer.id, apiKey: a.apiKey };
    other = { id: o.customer.id, apiKey: o.apiKey };
  });

  /** A sign-in whose AW posts `fields` for `username`; with `consent`, the user allows email on our page. */
  async function signIn(slug: string, apiKey: string, username: string, fields: Record<string, string>, consent = false) {
    const login = await startLogin(app, slug, { extensions: [new npmOpenid.SimpleRegistration({ email: 'required', country: 'optional' })] });
    const res = await postback(app, slug, { request_id: login.requestId, api_key: apiKey, username, ...fields });
    expect(res.status).toBe(200);
    if (consent) {
      const form = consentForm((await login.browser.get(`${app.url}/c/${slug}/ows_return?request_id=${login.requestId}`)).body);
      const done = await login.browser.postForm(`${app.url}/c/${slug}/ows_consent`, [['auth_request', form.authRequest], ['csrf', form.csrf], ['share', 'email'], ['decision', 'allow'], ['remember', 'true']]);
      expect(done.status).toBe(302);
    }
  }

  async function profileId(customerId: string, username: string): Promise<string> {
    const [profile] = await openedProfiles(app, ['id'], `customer_id = '${customerId}' and username_hash = '${await usernameHash(app, customerId, username)}'`);
    return profile!.id!;
  }

  async function request(profile: string, token?: string) {
    return graphql<{ requestProfileExport: { profileExport: { id: string; status: string; downloadUrl: string | null } } }>(app.url!, REQUEST, { p: profile }, token);
  }

  async function show(id: string, token?: string): Promise<ExportView | null> {
    const res = await graphql<{ profileExport: ExportView | null }>(app.url!, SHOW, { id }, token);
    expect(res.errors).toBeUndefined();
    return res.data!.profileExport;
  }

  /** Alice at acme, with history; Bob at acme and another Alice at another customer, who must not leak into hers. */
  async function seedPeople() {
    await signIn('acme', acme.apiKey, 'alice', { sreg_email: 'alice@example.org', sreg_country: 'fr' }, true);
    clock.advance(60_000);
    await signIn('acme', acme.apiKey, 'alice', { sreg_email: 'alice@new.example.org' });
    await signIn('acme', acme.apiKey, 'bob', { sreg_email: 'bob@builder.example', sreg_country: 'nl' }, true);
    await signIn('other', other.apiKey, 'alice', { sreg_email: 'alice@elsewhere.example', sreg_country: 'es' }, true);
    await drainAuditOutbox(app.db, app.services.audit, 1000);
    return profileId(acme.id, 'alice');
  }

  async function readyExport(profile: string): Promise<ExportView> {
    const res = await request(profile);
    expect(res.errors).toBeUndefined();
    const { id } = res.data!.requestProfileExport.profileExport;
    await sweepProfileExports(app.db, app.services.exports);
    const view = await show(id);
    expect(view!.status).toBe('READY');
    return view!;
  }

  it('builds one JSON document with exactly the person\'s data: profile, previous values, consent, sign-ins and audit events', async () => {
    const alice = await seedPeople();
    const res = await request(alice);
    expect(res.errors).toBeUndefined();
    const requested = res.data!.requestProfileExport.profileExport;
    expect(requested).toMatchObject({ profileId: alice, customerId: acme.id, status: 'PENDING', expiresAt: null, downloadUrl: null });

    clock.advance(1000);
    expect(await sweepProfileExports(app.db, app.services.exports)).toBe(1);
    expect(await sweepProfileExports(app.db, app.services.exports)).toBe(0); // built once
    const view = (await show(requested.id))!;
    expect(view.status).toBe('READY');
    expect(view.expiresAt).toBe(new Date(clock.now().getTime() + DAY_MS).toISOString());
    expect(view.downloadUrl).toMatch(new RegExp(`^${app.config.PUBLIC_URL}/c/acme/exports/${requested.id}\\?expires=\\d+&sig=[0-9a-f]{64}$`));

    const download = await fetch(view.downloadUrl!);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toMatch(/^application\/json/);
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="profile-export-.+\.json"$/);
    expect(download.headers.get('cache-control')).toBe('no-store');
    const text = await download.text();
    const doc = JSON.parse(text);

    expect(doc.format).toBe('ids.profile-export/1');
    expect(doc.generatedAt).toBe(clock.now().toISOString());
    // Issue 18: every document says where the data is stored.
    expect(doc.storedInRegion).toBe('EU');
    expect(doc.profile).toMatchObject({ id: alice, username: 'alice', email: 'alice@new.example.org', country: 'FR', nickname: null });
    expect(doc.profile).toHaveProperty('createdAt');
    expect(doc.profile).toHaveProperty('lastSeenAt');
    expect(doc.previousValues.map((v: { action: string; changes: unknown }) => [v.action, v.changes])).toEqual([
      ['profile.created', { email: { old: null, new: 'alice@example.org' }, country: { old: null, new: 'FR' } }],
      ['profile.updated', { email: { old: 'alice@example.org', new: 'alice@new.example.org' } }],
    ]);
    expect(doc.consentDecisions).toEqual([expect.objectContaining({ realm: REALM, decision: 'ALLOW', grantedFields: ['email'], isRemembered: true, revokedAt: null })]);
    expect(doc.authenticationHistory).toHaveLength(2);
    expect(doc.authenticationHistory.map((r: { status: string; realm: string }) => [r.realm, r.status])).toEqual([
      [REALM, 'COMPLETED'],
      [REALM, 'AUTHENTICATED'],
    ]);
    expect(doc.authenticationHistory[0]).toMatchObject({ outcome: 'id_res', releasedFields: ['email'] });
    expect(doc.authenticationHistory[0].timeline.length).toBeGreaterThan(1);
    expect(doc.auditEvents.map((e: { action: string }) => e.action)).toEqual(['profile.created', 'consent.granted', 'login.succeeded', 'profile.updated', 'profile.export_requested']);
    expect(doc.auditEvents.at(-1)).toMatchObject({ isPending: true, target: { type: 'profile_export', id: requested.id } });

    // Nothing of Bob, of the other customer's Alice, and no secret of the flow.
    const aliceHash = await usernameHash(app, acme.id, 'alice');
    const secrets = await ownerSql(`select request_id_hash, postback_digest from auth_request where username_hash = ? and customer_id = ?`, [aliceHash, acme.id]);
    const others = await ownerSql(`select id from auth_request where not (username_hash = ? and customer_id = ?)`, [aliceHash, acme.id]);
    for (const value of ['bob', 'builder.example', 'elsewhere.example', '"ES"', '"NL"', other.id, ...others.map((r) => r.id), ...secrets.flatMap((r) => [r.request_id_hash, r.postback_digest])]) {
      expect({ value, found: text.includes(value) }).toEqual({ value, found: false });
    }
    for (const key of ['requestIdHash', 'postbackDigest', 'openidRequest', 'customerId']) expect(Object.keys(doc.authenticationHistory[0])).not.toContain(key);

    // The export itself is audited, with no personal value in the link.
    await drainAuditOutbox(app.db, app.services.audit, 1000);
    const events = await ownerSql(`select action, fields, details from audit_event where target_type = 'profile_export' order by seq`);
    expect(events.map((e) => [e.action, e.fields])).toEqual([
      ['profile.export_requested', []],
      ['profile.exported', []],
    ]);
    expect(JSON.stringify(events)).not.toContain('alice');
  });

  it('stores the document sealed: the table holds none of the person\'s values', async () => {
    const view = await readyExport(await seedPeople());
    const [row] = await ownerSql(`select * from profile_export where id = ?`, [view.id]);
    expect(Buffer.isBuffer(row.document)).toBe(true);
    expect(row.document.length).toBeGreaterThan(100);
    const stored = Buffer.concat([Buffer.from(JSON.stringify({ ...row, document: null })), row.document as Buffer]);
    for (const value of ['alice', 'alice@new.example.org', 'alice@example.org', 'ids.profile-export', REALM]) {
      expect({ value, found: stored.includes(Buffer.from(value)) }).toEqual({ value, found: false });
    }
  });

  it('serves the link only as signed: a tampered signature, another id, another expiry or another customer are refused', async () => {
    const alice = await seedPeople();
    const view = await readyExport(alice);
    const bobs = await readyExport(await profileId(acme.id, 'bob'));
    const url = new URL(view.downloadUrl!);
    const sig = url.searchParams.get('sig')!;
    const expires = url.searchParams.get('expires')!;
    const at = (path: string, params: Record<string, string>) => fetch(`${app.url}${path}?${new URLSearchParams(params)}`);

    const tampered = await at(url.pathname, { expires, sig: `${sig[0] === '0' ? '1' : '0'}${sig.slice(1)}` });
    expect([tampered.status, tampered.headers.get('content-type'), await tampered.text()]).toEqual([403, 'text/plain; charset=utf-8', 'error: invalid_signature\n']);
    expect((await at(url.pathname, { expires })).status).toBe(403);
    expect((await at(`/c/acme/exports/${bobs.id}`, { expires, sig })).status).toBe(403);
    expect((await at(url.pathname, { expires: String(Number(expires) + 3600), sig })).status).toBe(403);
    // A valid signature at another customer's address finds nothing there.
    expect((await at(`/c/other/exports/${view.id}`, { expires, sig })).status).toBe(404);
    expect((await at(url.pathname, { expires, sig })).status).toBe(200);
  });

  it('stops serving after 24 hours and purges the document, keeping the row as a receipt', async () => {
    const view = await readyExport(await seedPeople());
    clock.advance(DAY_MS - 1000);
    expect((await fetch(view.downloadUrl!)).status).toBe(200);
    clock.advance(2000);
    const late = await fetch(view.downloadUrl!);
    expect([late.status, await late.text()]).toEqual([410, 'error: expired\n']);
    expect((await show(view.id))!.downloadUrl).toBeNull();

    expect(await inContext(app, () => app.services.exports.purgeExpired(1000))).toBe(1);
    const [row] = await ownerSql(`select status, document, purged_at from profile_export where id = ?`, [view.id]);
    expect(row).toEqual({ status: 'EXPIRED', document: null, purged_at: clock.now() });
    expect(await show(view.id)).toMatchObject({ status: 'EXPIRED', purgedAt: clock.now().toISOString(), downloadUrl: null });
    // Even within its time, a purged export's link is gone.
    clock.advance(-DAY_MS);
    expect((await fetch(view.downloadUrl!)).status).toBe(410);
  });

  it('refuses a caller without every profile.<field> scope, and writes nothing', async () => {
    const alice = await seedPeople();
    const { token } = await clientToken(app, acme.id, ALL_SCOPES.filter((s) => s !== 'profile.timezone'));
    const before = await tableCounts();
    const res = await request(alice, token);
    expect(res.errors?.[0]).toMatchObject({ path: ['requestProfileExport'], extensions: { code: 'FORBIDDEN', missingScopes: ['profile.timezone'] } });
    expect(await tableCounts()).toEqual(before);
    const full = await clientToken(app, acme.id, ALL_SCOPES);
    expect((await request(alice, full.token)).data!.requestProfileExport.profileExport.status).toBe('PENDING');
  });

  it("answers NOT_FOUND for another customer's or an unknown profile, and never shows another customer's export", async () => {
    const alice = await seedPeople();
    const view = await readyExport(alice);
    const { token } = await clientToken(app, other.id, ALL_SCOPES);
    const before = await tableCounts();
    for (const id of [alice, '00000000-0000-4000-8000-000000000000', 'not-an-id']) {
      const res = await request(id, token);
      expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    expect(await tableCounts()).toEqual(before);
    expect(await show(view.id, token)).toBeNull();
    const own = await clientToken(app, acme.id, ALL_SCOPES);
    expect((await show(view.id, own.token))!.status).toBe('READY');
  });

  it('is built by the worker from the queued job', async () => {
    const alice = await seedPeople();
    // Queues of their own, so no other test's jobs are ahead of this one; the sweep (which builds
    // any PENDING export, job or not) runs once at start, and is done before the export exists.
    const prefix = `${testQueuePrefix()}-export-job`;
    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUES.exports, { connection: redis, prefix: `{${prefix}}` });
    const worker = await startPublicTestApp({ ROLE: 'worker', QUEUE_PREFIX: prefix, EXPORT_SWEEP_INTERVAL_SECONDS: '3600' });
    const api = await startPublicTestApp({ QUEUE_PREFIX: prefix }, { clock });
    try {
      await waitUntil("the worker's first export sweep to finish", async () => (await queue.getCompletedCount()) === 1);
      const res = await graphql<{ requestProfileExport: { profileExport: { id: string } } }>(api.url!, REQUEST, { p: alice });
      const { id } = res.data!.requestProfileExport.profileExport;
      // The request queued a job named for the export; the worker ran it, and that run built it.
      await waitUntil('the export job to finish', async () => ['completed', 'failed'].includes(await queue.getJobState(id)));
      const job = await queue.getJob(id);
      expect({ name: job?.name, state: await queue.getJobState(id), built: job?.returnvalue }).toEqual({ name: JOBS.buildProfileExport, state: 'completed', built: true });
      expect((await ownerSql(`select status from profile_export where id = ?`, [id]))[0].status).toBe('READY');
    } finally {
      await api.stop();
      await worker.stop();
      await queue.obliterate({ force: true });
      await queue.close();
      redis.disconnect();
    }
  });
});

describe('profile exports while Redis is down', () => {
  it('answers the request at once and builds the export once Redis is back, though its job was lost', async () => {
    let redis = await startPrivateRedis();
    let app: App | undefined;
    try {
      await resetDatabase(); // before the workers start: a truncate would deadlock with their runs
      app = await startPublicTestApp({ ROLE: 'all', REDIS_URL: redis.url, EXPORT_SWEEP_INTERVAL_SECONDS: '1' });
      const { customer } = await createTestCustomer(app, 'acme');
      const profile = await seedProfile(app, customer.id, 'alice', { email: 'alice@example.org' });

      await redis.stop();
      const started = Date.now();
      const res = await graphql<{ requestProfileExport: { profileExport: { id: string; status: string } } }>(app.url!, REQUEST, { p: profile });
      expect(res.errors).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(3000);
      const { id, status } = res.data!.requestProfileExport.profileExport;
      expect(status).toBe('PENDING');
      expect((await ownerSql(`select status from profile_export where id = ?`, [id]))[0].status).toBe('PENDING');

      // Back empty (no persistence): the job never reached Redis, yet the export gets built.
      redis = await startPrivateRedis(redis.port);
      await waitUntil('the sweep to build the export', async () => (await ownerSql(`select status from profile_export where id = ?`, [id]))[0].status !== 'PENDING', { timeoutMs: 20_000 });
      expect((await ownerSql(`select status from profile_export where id = ?`, [id]))[0].status).toBe('READY');
    } finally {
      await app?.stop();
      await redis.stop();
    }
  }, 60_000);
});
