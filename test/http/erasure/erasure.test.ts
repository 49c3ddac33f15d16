import { randomUUID } from 'node:crypto';
import { App } from '../../../src/app';
import { drainAuditOutbox } from '../../../src/audit/audit-drain.job';
import { ActorKind, runAs } from '../../../src/audit';
import { DeletionStatus } from '../../../src/erasure';
import { PrivacyRequestKind } from '../../../src/privacy-requests';
import { asOwner, createTestCustomer, inContext, ownerSql, resetDatabase, startPublicTestApp, tableCounts } from '../../support/app';
import { platformScope } from '../../../src/db/scope';
import { PLATFORM } from '../../../src/shared/tenant';
import { consentForm, postback, startLogin } from '../../support/flow';
import { sdk } from '../../support/sdk';
import {
  DeletionRequestDocument,
  RequestCustomerDataDeletionDocument,
  RequestProfileDeletionDocument,
  UpdateCustomerDocument,
  VerifyAuditChainDocument,
} from '../../../clients/typescript/src';
import { clientToken, seedProfile } from '../../support/oauth';
import { npmOpenid } from '../../support/rp';
import { SteppedClock } from '../../support/clock';
import { openedProfiles, usernameHash } from '../../support/sealed';
import { everything, rowsMentioning } from '../../support/full-table';

const ZELDA = { username: 'zelda-erase-me', email: 'zelda.q@erase.example', fullname: 'Zelda Quixotic', postcode: 'ZQ9 8XY', nickname: 'zeldaquix' };
const ZELDA_NEW_EMAIL = 'zelda.second@erase.example';
const YANN = { username: 'yann-keeps-all', email: 'yann@keep.example' };

describe('erasure', () => {
  let app: App;
  let customerId: string;
  let apiKey: string;
  const clock = new SteppedClock();

  beforeAll(async () => {
    app = await startPublicTestApp({ ERASURE_BATCH_SIZE: '2', WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }, { clock });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    clock.reset();
    await resetDatabase();
    ({ customer: { id: customerId }, apiKey } = await createTestCustomer(app, 'acme'));
  });

  const asErasure = <T>(fn: () => Promise<T>) => runAs({ kind: ActorKind.SYSTEM, id: 'erasure' }, fn);

  /** A full sign-in with consent, so the person has an auth request, transitions, a consent decision and a profile. */
  async function signIn(slug: string, key: string, username: string, fields: Record<string, string>) {
    const login = await startLogin(app, slug, { extensions: [new npmOpenid.SimpleRegistration({ email: 'required', fullname: 'optional' })] });
    expect((await postback(app, slug, { request_id: login.requestId, api_key: key, username, ...fields })).status).toBe(200);
    const form = consentForm((await login.browser.get(`${app.url}/c/${slug}/ows_return?request_id=${login.requestId}`)).body);
    await login.browser.postForm(`${app.url}/c/${slug}/ows_consent`, [['auth_request', form.authRequest], ['csrf', form.csrf], ['share', 'email'], ['decision', 'allow'], ['remember', 'true']]);
  }

  /** A login code and an access token bound to `username`, as a sign-in with an enabled client leaves them. */
  async function tokensFor(cid: string, clientRowId: string, username: string) {
    const tokenId = randomUUID();
    await ownerSql(
      `insert into oauth_access_token (id, token_hash, client_id, customer_id, subject, scopes, issued_at, expires_at) values (?, ?, ?, ?, ?, '{profiles:read}', now(), now() + interval '1 hour')`,
      [tokenId, randomUUID().replace(/-/g, ''), clientRowId, cid, username],
    );
    await ownerSql(
      `insert into oauth_login_code (id, code_hash, customer_id, username, fields, issued_at, expires_at, access_token_id) values (?, ?, ?, ?, '{email}', now(), now() + interval '1 minute', ?)`,
      [randomUUID(), randomUUID().replace(/-/g, ''), cid, username, tokenId],
    );
  }

  async function clientRow(cid: string): Promise<string> {
    const { clientId } = await clientToken(app, cid, ['profiles:read']);
    const [row] = await ownerSql(`select id from oauth_client where client_id = ?`, [clientId]);
    return row.id as string;
  }

  async function profileIdOf(username: string): Promise<string> {
    const [row] = await ownerSql(`select id from profile where username_hash = ? or (person_key_id is null and username = ?)`, [await usernameHash(app, customerId, username), username]);
    return row.id as string;
  }

  /**
   * Rows per table naming the person: sealed ones by the username's lookup hash, ones written
   * before encryption (the seeded tokens and codes) by the clear name.
   */
  async function rowsOf(username: string): Promise<Record<string, number>> {
    const byHash = await rowsMentioning(await usernameHash(app, customerId, username));
    const byName = await rowsMentioning(username);
    const out: Record<string, number> = { ...byHash };
    for (const [table, n] of Object.entries(byName)) out[table] = (out[table] ?? 0) + n;
    return out;
  }

  async function progress(id: string) {
    return (await sdk(app).request(DeletionRequestDocument, { id })).deletionRequest;
  }

  /** Zelda with a history (two emails), a pending outbox event and tokens; Yann of the same customer. */
  async function twoPeople() {
    const client = await clientRow(customerId);
    // Webhook deliveries about each person carry their username.
    await inContext(app, () => app.services.webhooks.endpoints.createEndpoint(customerId, { url: 'http://127.0.0.1:9/hook', events: ['profile.created', 'login.succeeded'], description: null }, PLATFORM));
    await signIn('acme', apiKey, ZELDA.username, { sreg_email: ZELDA.email, sreg_fullname: ZELDA.fullname, sreg_postcode: ZELDA.postcode, sreg_nickname: ZELDA.nickname });
    await signIn('acme', apiKey, YANN.username, { sreg_email: YANN.email });
    await tokensFor(customerId, client, ZELDA.username);
    await tokensFor(customerId, client, YANN.username);
    await app.db.run(platformScope('test: webhook dispatch'), () => app.services.webhooks.dispatcher.dispatch(1000));
    await drainAuditOutbox(app.db, app.services.audit, 1000);
    // A change still in the outbox when the erasure runs: its payload must go too.
    await signIn('acme', apiKey, ZELDA.username, { sreg_email: ZELDA_NEW_EMAIL });
  }

  it('removes every trace of the person, keeps the neighbour whole, leaves a receipt and a verifiable chain', async () => {
    await twoPeople();
    const zeldaValues = [ZELDA.username, ZELDA.email, ZELDA_NEW_EMAIL, ZELDA.fullname, ZELDA.postcode, ZELDA.nickname];
    // Sealed at rest: only the rows seeded as if written before encryption (a token and a code) name her in clear.
    expect(await rowsMentioning(ZELDA.username)).toEqual({ oauth_access_token: 1, oauth_login_code: 1 });
    for (const value of zeldaValues.slice(1)) expect({ value, found: (await everything()).includes(value) }).toEqual({ value, found: false });
    const yannBefore = await rowsOf(YANN.username);
    expect(Object.keys(yannBefore).sort()).toEqual(expect.arrayContaining(['auth_request', 'consent_decision', 'oauth_access_token', 'oauth_login_code', 'profile']));
    const zeldaRows = await rowsOf(ZELDA.username);
    // A request of hers from the privacy center (issue 22): the record of it stays, naming her by keyed hash only.
    const zeldaProfile = await profileIdOf(ZELDA.username);
    const zeldaHash = app.services.audit.subjectHash(customerId, ZELDA.username);
    const rectified = await inContext(app, () =>
      app.services.privacyRequests.receive({ customerId, profileId: zeldaProfile, subjectHash: zeldaHash, kind: PrivacyRequestKind.RECTIFICATION, status: 'COMPLETED', details: { fields: ['email', 'fullname'] } }),
    );

    const first = await sdk(app).request(RequestProfileDeletionDocument, { profileId: await profileIdOf(ZELDA.username) });
    const { id, status } = first.requestProfileDeletion.deletionRequest;
    expect(status).toBe('PENDING');
    // A second request while one is open answers the open one.
    const again = await sdk(app).request(RequestProfileDeletionDocument, { profileId: await profileIdOf(ZELDA.username) });
    expect(again.requestProfileDeletion.deletionRequest.id).toBe(id);

    expect(await asErasure(() => app.services.erasurePurge.process(id))).toBe(DeletionStatus.COMPLETED);
    await drainAuditOutbox(app.db, app.services.audit, 1000);

    const dump = await everything();
    for (const value of zeldaValues) expect({ value, found: dump.includes(value) }).toEqual({ value, found: false });
    expect(await rowsOf(ZELDA.username)).toEqual({});
    expect(await rowsOf(YANN.username)).toEqual(yannBefore);
    expect(await ownerSql(`select id, profile_id, subject_hash, details from privacy_request`)).toEqual([
      { id: rectified.id, profile_id: zeldaProfile, subject_hash: zeldaHash, details: { fields: ['email', 'fullname'] } },
    ]);

    const receipt = await progress(id);
    expect(receipt).toMatchObject({ status: 'COMPLETED', kind: 'PROFILE', reason: 'REQUEST', requestedByKind: 'OPERATOR' });
    expect(receipt!.startedAt).not.toBeNull();
    expect(receipt!.completedAt).not.toBeNull();
    const counts = Object.fromEntries(receipt!.counts.map((c) => [c.table, c.count]));
    expect(counts).toMatchObject({
      profile: 1,
      consent_decision: zeldaRows.consent_decision,
      auth_request: zeldaRows.auth_request,
      oauth_access_token: 1,
      oauth_login_code: zeldaRows.oauth_login_code, // the sign-ins' own codes (a client is enabled) and the seeded one
      audit_outbox: 2, // the last sign-in's profile.updated and login.succeeded, not yet chained
    });
    expect(counts.audit_payload).toBeGreaterThanOrEqual(2);
    expect(counts.auth_request_transition).toBeGreaterThan(0);
    const [stored] = await ownerSql(`select username, subject_hash from deletion_request where id = ?`, [id]);
    expect(stored).toEqual({ username: null, subject_hash: app.services.audit.subjectHash(customerId, ZELDA.username) });

    const verify = await sdk(app).request(VerifyAuditChainDocument, { customerId });
    expect(verify.verifyAuditChain.ok).toBe(true);
    const actions = (await ownerSql(`select action, subject_hash from audit_event where target_type in ('deletion_request', 'profile') and action like 'profile.delet%' order by seq`)) as Array<{ action: string; subject_hash: string }>;
    expect(actions.map((a) => a.action)).toEqual(['profile.deletion_requested', 'profile.deleted']);
    expect(actions.every((a) => a.subject_hash === stored.subject_hash)).toBe(true);
  });

  it("answers NOT_FOUND for another customer's profile and writes nothing", async () => {
    const other = await createTestCustomer(app, 'other');
    const { token } = await clientToken(app, other.customer.id, ['profiles:delete']);
    const profileId = await seedProfile(app, customerId, ZELDA.username, { email: ZELDA.email });
    await drainAuditOutbox(app.db, app.services.audit, 1000);
    const before = await tableCounts();
    for (const id of [profileId, randomUUID(), 'not-a-uuid']) {
      const res = await sdk(app, token).execute(RequestProfileDeletionDocument, { profileId: id });
      expect(res.errors[0]?.code).toBe('NOT_FOUND');
    }
    expect(await tableCounts()).toEqual(before);
    // The customer's own client with the scope may.
    const own = await clientToken(app, customerId, ['profiles:delete']);
    expect((await sdk(app, own.token).request(RequestProfileDeletionDocument, { profileId })).requestProfileDeletion.deletionRequest.status).toBe('PENDING');
  });

  it('resumes an erasure whose worker died between batches and finishes it with nothing left over', async () => {
    await twoPeople();
    const zeldaRows = await rowsOf(ZELDA.username);
    const request = await app.db.run({ kind: 'platform', reason: 'test' }, async () => app.services.erasure.requestProfileDeletion(await profileIdOf(ZELDA.username), { kind: 'platform' }));

    let batches = 0;
    const crash = async () => {
      if (++batches === 3) throw new Error('worker killed');
    };
    await expect(asErasure(() => app.services.erasurePurge.process(request.id, crash))).rejects.toThrow('worker killed');
    const [midway] = await ownerSql(`select status, username, counts, failures from deletion_request where id = ?`, [request.id]);
    // The name is kept while the request runs, sealed under the customer's key.
    expect(midway).toMatchObject({ status: 'RUNNING', username: expect.stringMatching(/^ef1\./), failures: 1 });
    // Batches of 2 over three login codes (2, 1, then an empty one): the counts say exactly what went, and the rest is still there.
    expect(zeldaRows.oauth_login_code).toBe(3);
    expect(midway.counts).toEqual({ oauth_login_code: 3 });
    const left = await rowsOf(ZELDA.username);
    expect(left.oauth_login_code).toBeUndefined();
    expect(left).toMatchObject({ oauth_access_token: 1, profile: 1, consent_decision: zeldaRows.consent_decision, auth_request: zeldaRows.auth_request });

    // A request that stopped moving (no heartbeat for longer than the sweep's limit) is taken over;
    // until then the sweep leaves it to its worker.
    expect(await asErasure(() => app.services.erasurePurge.sweep(60))).toEqual({ processed: 0, completed: 0, failed: 0 });
    clock.advance(61_000);
    const swept = await asErasure(() => app.services.erasurePurge.sweep(60));
    expect(swept).toEqual({ processed: 1, completed: 1, failed: 0 });
    const receipt = await progress(request.id);
    expect(receipt!.status).toBe('COMPLETED');
    const counts = Object.fromEntries(receipt!.counts.map((c) => [c.table, c.count]));
    expect(counts).toMatchObject({ profile: 1, consent_decision: zeldaRows.consent_decision, auth_request: zeldaRows.auth_request, oauth_access_token: 1, oauth_login_code: 3 });
    expect(await rowsOf(ZELDA.username)).toEqual({});
  });

  it('offboards a customer: every profile and credential goes, the other customer is untouched', async () => {
    const other = await createTestCustomer(app, 'other');
    await clientRow(customerId);
    await signIn('acme', apiKey, 'acme-one', { sreg_email: 'one@acme.example' });
    await signIn('other', other.apiKey, 'other-one', { sreg_email: 'one@other.example' });
    for (let i = 0; i < 5; i++) await seedProfile(app, customerId, `acme-bulk-${i}`, { email: `bulk${i}@acme.example` });
    await seedProfile(app, other.customer.id, 'other-two', { email: 'two@other.example' });
    // Sign-ins already purged, folded into their hours' counts (the chart's): they go with the customer's data too.
    for (const cid of [customerId, other.customer.id]) {
      await ownerSql(`insert into sign_in_hour_count (customer_id, hour_start, succeeded, failed) values (?, date_trunc('hour', now() at time zone 'UTC') at time zone 'UTC' - interval '3 hours', 4, 1)`, [cid]);
    }
    // A request from a person's privacy center (issue 22) of each: the customer's records, which go with it too.
    for (const [cid, username] of [[customerId, 'acme-one'], [other.customer.id, 'other-one']] as const) {
      await inContext(app, () =>
        app.services.privacyRequests.receive({ customerId: cid, profileId: null, subjectHash: app.services.audit.subjectHash(cid, username), kind: PrivacyRequestKind.OBJECTION, status: 'PENDING_REVIEW' }),
      );
    }
    await drainAuditOutbox(app.db, app.services.audit, 1000);
    const countsOf = async (cid: string) =>
      asOwner(async (sql) => {
        const out: Record<string, number> = {};
        for (const table of ['profile', 'consent_decision', 'auth_request', 'auth_request_transition', 'oauth_client', 'customer_api_key', 'audit_payload', 'audit_event', 'sign_in_hour_count', 'privacy_request']) {
          out[table] = (await sql(`select count(*)::int as n from "${table}" where customer_id = ?`, [cid]))[0].n;
        }
        return out;
      });
    const otherBefore = await countsOf(other.customer.id);
    expect(otherBefore.sign_in_hour_count).toBe(1);
    expect(otherBefore.privacy_request).toBe(1);
    const { token } = await clientToken(app, customerId, ['profiles:delete']);
    expect((await sdk(app, token).execute(RequestCustomerDataDeletionDocument, { customerId })).errors[0]?.code).toBe('FORBIDDEN');

    const res = await sdk(app).request(RequestCustomerDataDeletionDocument, { customerId });
    const { id } = res.requestCustomerDataDeletion.deletionRequest;
    expect(await asErasure(() => app.services.erasurePurge.process(id))).toBe(DeletionStatus.COMPLETED);
    await drainAuditOutbox(app.db, app.services.audit, 1000);

    const after = await countsOf(customerId);
    expect(after).toMatchObject({ profile: 0, consent_decision: 0, auth_request: 0, auth_request_transition: 0, oauth_client: 0, customer_api_key: 0, audit_payload: 0, sign_in_hour_count: 0, privacy_request: 0 });
    expect(await countsOf(other.customer.id)).toEqual(otherBefore);
    const receipt = await progress(id);
    expect(Object.fromEntries(receipt!.counts.map((c) => [c.table, c.count]))).toMatchObject({ profile: 6, oauth_client: 2, customer_api_key: 1, sign_in_hour_count: 1, privacy_request: 1 });
    expect((await everything()).includes('bulk3@acme.example')).toBe(false);
    expect((await sdk(app).request(VerifyAuditChainDocument, { customerId })).verifyAuditChain.ok).toBe(true);
  });

  it('retention erases exactly the profiles not seen for the customer\'s number of days', async () => {
    const other = await createTestCustomer(app, 'other');
    const update = await sdk(app).request(UpdateCustomerDocument, { id: customerId, input: { profileRetentionDays: 30 } });
    expect(update.updateCustomer.customer.profileRetentionDays).toBe(30);
    const bad = await sdk(app).execute(UpdateCustomerDocument, { id: customerId, input: { profileRetentionDays: 0 } });
    expect(bad.errors[0]).toMatchObject({ code: 'BAD_USER_INPUT', field: 'profileRetentionDays' });
    const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000);
    await seedProfile(app, customerId, 'stale-1', { email: 'stale1@acme.example' }, daysAgo(40));
    await seedProfile(app, customerId, 'stale-2', { email: 'stale2@acme.example' }, daysAgo(31));
    await seedProfile(app, customerId, 'fresh', { email: 'fresh@acme.example' }, daysAgo(29));
    await seedProfile(app, other.customer.id, 'other-stale', { email: 'old@other.example' }, daysAgo(400)); // no retention there

    const result = await runAs({ kind: ActorKind.SYSTEM, id: 'profile-retention' }, () => app.services.erasurePurge.applyRetention());
    expect(result.erased).toBe(2);
    expect(result.removed.profile).toBe(2);
    expect((await openedProfiles(app, ['username'])).map((r) => r.username).sort()).toEqual(['fresh', 'other-stale']);
    const receipts = await ownerSql(`select reason, status, username, counts from deletion_request order by requested_at`);
    expect(receipts).toHaveLength(2);
    for (const r of receipts) expect(r).toMatchObject({ reason: 'RETENTION', status: 'COMPLETED', username: null, counts: expect.objectContaining({ profile: 1 }) });
    expect((await everything()).includes('stale1@acme.example')).toBe(false);
    // Nothing more is due: a second run erases nothing.
    expect((await app.services.erasurePurge.applyRetention()).erased).toBe(0);
  });
});
