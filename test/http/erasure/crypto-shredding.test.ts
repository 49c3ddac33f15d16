import { App } from '../../../src/app';
import { drainAuditOutbox } from '../../../src/audit/audit-drain.job';
import { ActorKind, runAs } from '../../../src/audit';
import { openPayloadRows } from '../../../src/audit';
import { platformScope } from '../../../src/db/scope';
import { DeletionStatus } from '../../../src/erasure';
import { sweepProfileExports } from '../../../src/exports';
import { PLATFORM } from '../../../src/shared/tenant';
import { AuditEventsDocument, RequestProfileDeletionDocument, VerifyAuditChainDocument } from '../../../clients/typescript/src';
import { createTestCustomer, inContext, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { consentForm, postback, startLogin } from '../../support/flow';
import { graphql } from '../../support/graphql';
import { clientToken } from '../../support/oauth';
import { npmOpenid } from '../../support/rp';
import { sdk } from '../../support/sdk';
import { everyStoredRow, openedProfiles, usernameHash } from '../../support/sealed';

const ALICE = { username: 'alice-shred-7f3', email: 'alice.q@shred.example', fullname: 'Alice Quillfeather', blob: 'aw-blob-alice-5d1e9' };
const ALICE_NEW_EMAIL = 'alice.second@shred.example';
const ALICE_LAST_EMAIL = 'alice.third@shred.example';
const BOB = { username: 'bob-keeps-2c8', email: 'bob@keep.example' };

const SHOW_EXPORT = `query($id: ID!) { profileExport(id: $id) { id status downloadUrl } }`;

/**
 * Issue 17: a person's values are stored sealed under their key everywhere they go (profile, posted
 * values and blob, consent, audit payloads, webhook deliveries, exports), and erasing them deletes
 * that key first, in the transaction recording the erasure, so nothing of theirs opens any more
 * while the audit chain still verifies.
 */
describe('crypto-shredding', () => {
  let app: App;
  let customerId: string;
  let apiKey: string;

  beforeAll(async () => {
    app = await startPublicTestApp({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true' });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    await resetDatabase();
    ({ customer: { id: customerId }, apiKey } = await createTestCustomer(app, 'acme'));
    // Deliveries about each person name them; the address is never reached in these tests.
    await inContext(app, () =>
      app.services.webhooks.endpoints.createEndpoint(customerId, { url: 'http://127.0.0.1:9/hook', events: ['profile.created', 'profile.updated', 'login.succeeded'], description: null }, PLATFORM),
    );
  });

  /** A full sign-in with consent: an auth request with posted values and a blob, a consent decision, a profile, a login code. */
  async function signIn(username: string, fields: Record<string, string>) {
    const login = await startLogin(app, 'acme', { extensions: [new npmOpenid.SimpleRegistration({ email: 'required', fullname: 'optional' })] });
    expect((await postback(app, 'acme', { request_id: login.requestId, api_key: apiKey, username, ...fields })).status).toBe(200);
    const form = consentForm((await login.browser.get(`${app.url}/c/acme/ows_return?request_id=${login.requestId}`)).body);
    await login.browser.postForm(`${app.url}/c/acme/ows_consent`, [['auth_request', form.authRequest], ['csrf', form.csrf], ['share', 'email'], ['decision', 'allow'], ['remember', 'true']]);
  }

  async function dispatchAndDrain() {
    await app.db.run(platformScope('test: webhook dispatch'), () => app.services.webhooks.dispatcher.dispatch(1000));
    await drainAuditOutbox(app.db, app.services.audit, 1000);
  }

  async function profileOf(username: string): Promise<{ id: string; personKeyId: string }> {
    const [row] = await ownerSql(`select id, person_key_id from profile where customer_id = ? and username_hash = ?`, [customerId, await usernameHash(app, customerId, username)]);
    return { id: row.id as string, personKeyId: row.person_key_id as string };
  }

  /** An export of the profile, built; answers its signed download link. */
  async function readyExport(profileId: string): Promise<string> {
    const requested = await inContext(app, () => app.services.exports.request(profileId, PLATFORM));
    expect(await sweepProfileExports(app.db, app.services.exports)).toBe(1);
    const shown = await graphql<{ profileExport: { status: string; downloadUrl: string } }>(app.url!, SHOW_EXPORT, { id: requested.id });
    expect(shown.data!.profileExport.status).toBe('READY');
    return shown.data!.profileExport.downloadUrl;
  }

  /** Alice with a history (a changed email, a change still in the outbox), a delivered audit trail and deliveries, and an export; Bob beside her. */
  async function twoPeople(): Promise<{ alice: { id: string; personKeyId: string }; exportUrl: string }> {
    await clientToken(app, customerId, ['profiles:read']); // an enabled client: sign-ins leave login codes
    await signIn(ALICE.username, { sreg_email: ALICE.email, sreg_fullname: ALICE.fullname, blob: ALICE.blob });
    await signIn(BOB.username, { sreg_email: BOB.email });
    await signIn(ALICE.username, { sreg_email: ALICE_NEW_EMAIL, blob: ALICE.blob });
    await dispatchAndDrain();
    const alice = await profileOf(ALICE.username);
    const exportUrl = await readyExport(alice.id);
    // A change still waiting in the outbox (its payload sealed by the login's SQL) and not yet dispatched.
    await signIn(ALICE.username, { sreg_email: ALICE_LAST_EMAIL });
    return { alice, exportUrl };
  }

  async function verifyChain() {
    return (await sdk(app).request(VerifyAuditChainDocument, { customerId })).verifyAuditChain;
  }

  it('stores nothing of a signed-in person in clear: profile, posted values, blob, consent, audit trail, deliveries, export', async () => {
    const { exportUrl } = await twoPeople();
    // The values are there, and open under the person's key…
    const [alice] = (await openedProfiles(app, ['username', 'email', 'fullname'])).filter((p) => p.username === ALICE.username);
    expect(alice).toEqual({ username: ALICE.username, email: ALICE_LAST_EMAIL, fullname: ALICE.fullname });
    const document = await (await fetch(exportUrl)).text();
    for (const value of [ALICE.username, ALICE_NEW_EMAIL, ALICE.fullname]) expect(document).toContain(value);
    const deliveries = await ownerSql(`select count(*)::int as n from webhook_delivery where customer_id = ?`, [customerId]);
    expect(deliveries[0].n).toBeGreaterThanOrEqual(4);
    expect((await ownerSql(`select count(*)::int as n from audit_payload where customer_id = ?`, [customerId]))[0].n).toBeGreaterThanOrEqual(4);

    // …and a search of every column of every table finds none of them in clear.
    const dump = await everyStoredRow();
    for (const value of [ALICE.username, ALICE.email, ALICE_NEW_EMAIL, ALICE_LAST_EMAIL, ALICE.fullname, ALICE.blob, BOB.username, BOB.email]) {
      expect({ value, found: dump.includes(value) }).toEqual({ value, found: false });
    }
  });

  it("erasing a person deletes their key with the request: nothing of theirs opens, the chain verifies, the neighbour stays whole", async () => {
    const { alice, exportUrl } = await twoPeople();
    const bob = await profileOf(BOB.username);
    const keyRows = async (profileId: string) => (await ownerSql(`select count(*)::int as n from keyring.person_key where profile_id = ?`, [profileId]))[0].n;
    expect([await keyRows(alice.id), await keyRows(bob.id)]).toEqual([1, 1]);
    const aliceHash = await usernameHash(app, customerId, ALICE.username);
    const bobHash = await usernameHash(app, customerId, BOB.username);
    const rowsNaming = async (hash: string) => {
      const out: Record<string, number> = {};
      for (const table of ['profile', 'auth_request', 'consent_decision', 'oauth_login_code']) {
        const [row] = await ownerSql(`select count(*)::int as n from "${table}" where customer_id = ? and username_hash = ?`, [customerId, hash]);
        if (row.n > 0) out[table] = row.n;
      }
      return out;
    };
    const bobBefore = await rowsNaming(bobHash);
    expect(Object.keys(await rowsNaming(aliceHash)).sort()).toEqual(['auth_request', 'consent_decision', 'oauth_login_code', 'profile']);

    const requested = await sdk(app).request(RequestProfileDeletionDocument, { profileId: alice.id });
    const { id, status } = requested.requestProfileDeletion.deletionRequest;
    expect(status).toBe('PENDING');

    // Committed with the request, before any row is removed: her key is gone, Bob's is not.
    expect([await keyRows(alice.id), await keyRows(bob.id)]).toEqual([0, 1]);
    expect(await app.services.keys.personById(customerId, alice.personKeyId)).toBeNull();
    // The request keeps her name only sealed (under the customer's key), for the rows from before encryption.
    const [open] = await ownerSql(`select username from deletion_request where id = ?`, [id]);
    expect(open.username).toMatch(/^ef1\./);
    // Her export no longer opens; her audit payloads read as erased while the chain still verifies.
    expect((await fetch(exportUrl)).status).toBe(410);
    await dispatchAndDrain();
    expect(await verifyChain()).toMatchObject({ ok: true, reason: null });
    const trail = (await sdk(app).request(AuditEventsDocument, { filter: { customerId }, first: 100 })).auditEvents.nodes;
    const created = trail.filter((e) => e.action === 'profile.created');
    expect(created).toHaveLength(2);
    expect(created.map((e) => [e.subject, e.isErased])).toEqual(expect.arrayContaining([[BOB.username, false], [null, true]]));
    // A delivery about her is not sent: its body does not open any more.
    const [delivery] = await ownerSql(`select id from webhook_delivery where subject_hash = ? and status = 'PENDING' limit 1`, [app.services.audit.subjectHash(customerId, ALICE.username)]);
    expect(await app.services.webhooks.dispatcher.deliver(delivery.id as string, 1)).toBe('skipped');
    expect((await ownerSql(`select status, last_error from webhook_delivery where id = ?`, [delivery.id]))[0]).toEqual({ status: 'FAILED', last_error: 'subject_erased' });

    // The purge then removes her rows, found by the lookup hash.
    expect(await runAs({ kind: ActorKind.SYSTEM, id: 'erasure' }, () => app.services.erasurePurge.process(id))).toBe(DeletionStatus.COMPLETED);
    expect(await rowsNaming(aliceHash)).toEqual({});
    expect(await rowsNaming(bobHash)).toEqual(bobBefore);
    expect((await ownerSql(`select username from deletion_request where id = ?`, [id]))[0].username).toBeNull();
    expect(await verifyChain()).toMatchObject({ ok: true, reason: null });
    const [bobOpened] = (await openedProfiles(app, ['username', 'email'])).filter((p) => p.username === BOB.username);
    expect(bobOpened).toEqual({ username: BOB.username, email: BOB.email });
  });

  it('seals, with the drain, audit payloads stored in clear before encryption at rest; the chain still verifies', async () => {
    await signIn(ALICE.username, { sreg_email: ALICE.email });
    await drainAuditOutbox(app.db, app.services.audit, 1000);
    // Put the payloads back as a database from before encryption holds them: the clear payload itself.
    const stored: Array<{ event_id: string; data: Record<string, unknown> }> = await ownerSql(`select event_id, data from audit_payload where customer_id = ?`, [customerId]);
    expect(stored.length).toBeGreaterThanOrEqual(2);
    const clear = await openPayloadRows(
      app.services.keys,
      null,
      stored.map((r) => ({ eventId: r.event_id, customerId, isPending: false, targetType: '', targetId: null, payload: r.data })),
    );
    for (const [i, row] of stored.entries()) await ownerSql(`update audit_payload set data = ?::jsonb where event_id = ?`, [JSON.stringify(clear[i]), row.event_id]);
    expect(await everyStoredRow()).toContain(ALICE.email);
    expect(await verifyChain()).toMatchObject({ ok: true });

    await drainAuditOutbox(app.db, app.services.audit, 1000);
    const after: Array<{ data: Record<string, unknown> }> = await ownerSql(`select data from audit_payload where customer_id = ?`, [customerId]);
    for (const { data } of after) expect(Object.keys(data).sort()).toEqual(['box', 'key']);
    const dump = await everyStoredRow();
    for (const value of [ALICE.username, ALICE.email]) expect({ value, found: dump.includes(value) }).toEqual({ value, found: false });
    expect(await verifyChain()).toMatchObject({ ok: true, reason: null });
  });

  it('a payload that does not open under its person key, which exists, breaks the chain at that event', async () => {
    await signIn(ALICE.username, { sreg_email: ALICE.email });
    await signIn(ALICE.username, { sreg_email: ALICE_NEW_EMAIL });
    await drainAuditOutbox(app.db, app.services.audit, 1000);
    const rows = await ownerSql(
      `select e.id, e.seq from audit_event e join audit_payload p on p.event_id = e.id where e.customer_id = ? and e.action like 'profile.%' order by e.seq`,
      [customerId],
    );
    const [created, updated] = rows as Array<{ id: string; seq: string }>;
    // The same person's key, but the box of her other event (bound to that event's id).
    await ownerSql(`update audit_payload p set data = jsonb_set(p.data, '{box}', (select o.data->'box' from audit_payload o where o.event_id = ?)) where p.event_id = ?`, [created!.id, updated!.id]);
    expect(await verifyChain()).toMatchObject({ ok: false, brokenEventId: updated!.id, brokenSeq: Number(updated!.seq), reason: 'payload' });
  });
});
