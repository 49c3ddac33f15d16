import { App } from '../../../src/app';
import { drainAuditOutbox } from '../../../src/audit/audit-drain.job';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp, tableCounts } from '../../support/app';
import { consentForm, postback, startLogin } from '../../support/flow';
import { sdk } from '../../support/sdk';
import { openedProfiles } from '../../support/sealed';
import { clientToken } from '../../support/oauth';
import { npmOpenid } from '../../support/rp';
import {
  AuditEventsDocument,
  RevokeConsentDecisionDocument,
  RotateCustomerApiKeyDocument,
  UpdateCustomerDocument,
  UpdateProfileDocument,
  VerifyAuditChainDocument,
  type AuditEventFieldsFragment,
} from '../../../clients/typescript/src';

type Event = AuditEventFieldsFragment;

describe('the audit trail', () => {
  let app: App;
  let customerId: string;
  let apiKey: string;

  beforeAll(async () => {
    app = await startPublicTestApp();
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    await resetDatabase();
    ({ customer: { id: customerId }, apiKey } = await createTestCustomer(app, 'acme'));
  });

  /** A sign-in whose AW posts `fields` back for `username` (the profile is recorded at the postback). */
  async function signIn(username: string, fields: Record<string, string>) {
    const login = await startLogin(app, 'acme', { extensions: [new npmOpenid.SimpleRegistration({ email: 'required', country: 'optional' })] });
    const res = await postback(app, 'acme', { request_id: login.requestId, api_key: apiKey, username, ...fields });
    expect(res.status).toBe(200);
    return login;
  }

  /** The whole trail (newest first), fetched a few events per page so the SDK's pagination runs. */
  async function events(filter: { subject?: string } = {}, token?: string): Promise<Event[]> {
    await drainAuditOutbox(app.db, app.services.audit, 1000);
    const trail: Event[] = [];
    for await (const event of sdk(app, token).paginate(AuditEventsDocument, { filter: { customerId, ...filter }, first: 2 }, (d) => d.auditEvents)) trail.push(event);
    return trail;
  }

  async function profileId(username: string): Promise<string> {
    const profile = (await openedProfiles(app, ['id', 'username'])).find((p) => p.username === username);
    return profile!.id!;
  }

  it('records every change to personal data exactly once, with who, what, and the old and new values', async () => {
    await signIn('alice', { sreg_email: 'alice@example.org', sreg_country: 'fr' });
    await signIn('alice', { sreg_email: 'alice@example.org', sreg_country: 'fr' }); // nothing changes: no event
    await signIn('alice', { sreg_email: 'alice@new.example.org' });
    const update = await sdk(app).request(UpdateProfileDocument, { id: await profileId('alice'), input: { country: 'DE' } });
    expect(update.updateProfile.profile.country).toBe('DE');

    const trail = (await events({ subject: 'alice' })).reverse();
    expect(trail.map((e) => [e.action, e.actorKind, e.actorId])).toEqual([
      ['profile.created', 'AW', 'acme'],
      ['profile.updated', 'AW', 'acme'],
      ['profile.updated', 'OPERATOR', 'bootstrap-admin'],
    ]);
    expect(trail.map((e) => e.changes)).toEqual([
      [
        { field: 'country', oldValue: null, newValue: 'FR' },
        { field: 'email', oldValue: null, newValue: 'alice@example.org' },
      ],
      [{ field: 'email', oldValue: 'alice@example.org', newValue: 'alice@new.example.org' }],
      [{ field: 'country', oldValue: 'FR', newValue: 'DE' }],
    ]);
    expect(trail.every((e) => e.subject === 'alice' && e.targetType === 'profile')).toBe(true);
    expect(trail.map((e) => e.seq)).toEqual([...trail.map((e) => e.seq)].sort((a, b) => a - b));
  });

  it('records consent given on our page, the login it completed, and its revocation, as the user and as the operator', async () => {
    const login = await signIn('bob', { sreg_email: 'bob@example.org' });
    const form = consentForm((await login.browser.get(`${app.url}/c/acme/ows_return?request_id=${login.requestId}`)).body);
    await login.browser.postForm(`${app.url}/c/acme/ows_consent`, [['auth_request', form.authRequest], ['csrf', form.csrf], ['share', 'email'], ['decision', 'allow'], ['remember', 'true']]);
    const [decision] = await ownerSql(`select id from consent_decision`);
    await sdk(app).request(RevokeConsentDecisionDocument, { id: (decision as { id: string }).id });
    await sdk(app).request(RevokeConsentDecisionDocument, { id: (decision as { id: string }).id });
    const trail = (await events({ subject: 'bob' })).reverse();
    expect(trail.map((e) => [e.action, e.actorKind])).toEqual([
      ['profile.created', 'AW'],
      ['consent.granted', 'USER'],
      ['login.succeeded', 'USER'],
      ['consent.revoked', 'OPERATOR'],
    ]);
  });

  it('records configuration changes, key rotation and token issuance with no secret in them', async () => {
    await sdk(app).request(UpdateCustomerDocument, { id: customerId, input: { name: 'Acme Two' } });
    const rotated = await sdk(app).request(RotateCustomerApiKeyDocument, { id: customerId });
    const { token, clientSecret } = await clientToken(app, customerId, ['audit:read']);
    const trail = (await events()).reverse();
    // The fixtures create the customer and the client through the services directly, as the service itself.
    expect(trail.map((e) => [e.action, e.actorKind])).toEqual([
      ['customer.created', 'SYSTEM'],
      ['customer.updated', 'OPERATOR'],
      ['customer.api_key_rotated', 'OPERATOR'],
      ['oauth_client.created', 'SYSTEM'],
      ['token.issued', 'CLIENT'],
    ]);
    const stored = JSON.stringify(await ownerSql(`select * from audit_event`)) + JSON.stringify(await ownerSql(`select * from audit_payload`));
    for (const secret of [apiKey, rotated.rotateCustomerApiKey.apiKey, token, clientSecret]) expect(stored).not.toContain(secret);
    expect(stored).toContain('Acme Two');
  });

  it('writes nothing for a change that is refused', async () => {
    await signIn('carol', { sreg_email: 'carol@example.org' });
    await drainAuditOutbox(app.db, app.services.audit, 1000);
    const before = await tableCounts();
    const res = await sdk(app).execute(UpdateProfileDocument, { id: await profileId('carol'), input: { email: 'not an address' } });
    expect(res.errors[0]).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
    expect(await tableCounts()).toEqual(before);
  });

  it('shows personal values only with their field scope: FORBIDDEN at that value, the rest resolves', async () => {
    await signIn('dave', { sreg_email: 'dave@example.org', sreg_country: 'nl' });
    const { token } = await clientToken(app, customerId, ['audit:read', 'audit.personal', 'profile.country']);
    await drainAuditOutbox(app.db, app.services.audit, 1000);
    const res = await sdk(app, token).execute(AuditEventsDocument, { filter: { subject: 'dave' }, first: 10 });
    const [created] = res.data!.auditEvents.nodes;
    expect(created!.action).toBe('profile.created');
    expect(created!.changes).toEqual([
      { field: 'country', oldValue: null, newValue: 'NL' },
      { field: 'email', oldValue: null, newValue: null },
    ]);
    const forbidden = res.errors.map((e) => [e.path.join('.'), e.code]);
    expect(forbidden).toEqual([
      ['auditEvents.nodes.0.changes.1.oldValue', 'FORBIDDEN'],
      ['auditEvents.nodes.0.changes.1.newValue', 'FORBIDDEN'],
    ]);
  });

  it('shows whom an event is about only with audit.personal (an auditor sees what happened, not to whom)', async () => {
    await signIn('erin', { sreg_email: 'erin@example.org' });
    await drainAuditOutbox(app.db, app.services.audit, 1000);
    const { token: auditor } = await clientToken(app, customerId, ['audit:read']);
    const res = await sdk(app, auditor).execute(AuditEventsDocument, { filter: { customerId }, first: 10 });
    const nodes = res.data!.auditEvents.nodes;
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes.map((n) => n.subject)).toEqual(nodes.map(() => null));
    expect(nodes.map((n) => n.action)).toContain('profile.created');
    const subjectErrors = res.errors.filter((e) => e.path[e.path.length - 1] === 'subject');
    expect(subjectErrors).toHaveLength(nodes.length);
    expect(subjectErrors.every((e) => e.code === 'FORBIDDEN')).toBe(true);
    expect(JSON.stringify(res.data)).not.toContain('erin');
    // Nor may it ask for one person's trail by name.
    const byName = await sdk(app, auditor).execute(AuditEventsDocument, { filter: { customerId, subject: 'erin' }, first: 10 });
    expect(byName.data).toBeNull();
    expect(byName.errors.map((e) => e.code)).toEqual(['FORBIDDEN']);
  });

  it("never shows a client another customer's trail", async () => {
    const other = await createTestCustomer(app, 'other');
    const { token } = await clientToken(app, other.customer.id, ['audit:read']);
    await signIn('erin', { sreg_email: 'erin@example.org' });
    await drainAuditOutbox(app.db, app.services.audit, 1000);
    const client = sdk(app, token);
    const res = await client.request(AuditEventsDocument, { filter: { customerId }, first: 100 });
    expect(res.auditEvents.nodes).toEqual([]);
    const verify = await client.execute(VerifyAuditChainDocument, { customerId });
    expect(verify.errors[0]?.code).toBe('NOT_FOUND');
  });

  describe('tamper evidence', () => {
    beforeEach(async () => {
      for (const name of ['u1', 'u2', 'u3', 'u4']) await signIn(name, { sreg_email: `${name}@example.org` });
      await drainAuditOutbox(app.db, app.services.audit, 2); // several batches: the chain continues across them
    });

    async function verify() {
      const { regions, region, ...result } = (await sdk(app).request(VerifyAuditChainDocument, { customerId })).verifyAuditChain;
      // A customer's chain is one chain, in its region (issue 18).
      expect(regions).toEqual([{ ...result, region }]);
      return result;
    }

    async function eventAt(seq: number): Promise<string> {
      const [row] = await ownerSql(`select id from audit_event where customer_id = ? and seq = ?`, [customerId, seq]);
      return (row as { id: string }).id;
    }

    it('verifies an untouched chain', async () => {
      expect(await verify()).toEqual({ ok: true, eventsChecked: 5, brokenEventId: null, brokenSeq: null, reason: null });
    });

    it('names the event whose stored fields were altered', async () => {
      await ownerSql(`update audit_event set action = 'profile.viewed' where customer_id = ? and seq = 3`, [customerId]);
      expect(await verify()).toEqual({ ok: false, eventsChecked: 2, brokenEventId: await eventAt(3), brokenSeq: 3, reason: 'digest' });
    });

    it('names the event whose personal values were altered', async () => {
      const id = await eventAt(4);
      await ownerSql(`update audit_payload set data = jsonb_set(data, '{subject}', '"mallory"') where event_id = ?`, [id]);
      expect(await verify()).toEqual({ ok: false, eventsChecked: 3, brokenEventId: id, brokenSeq: 4, reason: 'payload' });
    });

    it('names the event whose sealed payload does not open under its key, which exists', async () => {
      const [four, five] = [await eventAt(4), await eventAt(5)];
      // The box of another event (another person, another event id) put under this event's key id.
      await ownerSql(
        `update audit_payload p set data = jsonb_set(p.data, '{box}', (select o.data->'box' from audit_payload o where o.event_id = ?)) where p.event_id = ?`,
        [five, four],
      );
      expect(await verify()).toEqual({ ok: false, eventsChecked: 3, brokenEventId: four, brokenSeq: 4, reason: 'payload' });
    });

    it('stores each payload sealed whole under its person key, and nothing of it in clear', async () => {
      const rows: Array<{ data: Record<string, unknown> }> = await ownerSql(`select data from audit_payload where customer_id = ?`, [customerId]);
      expect(rows.length).toBeGreaterThanOrEqual(4);
      for (const { data } of rows) expect(Object.keys(data).sort()).toEqual(['box', 'key']);
      expect(JSON.stringify(rows)).not.toMatch(/u[1-4]@example\.org|"u[1-4]"/);
    });

    it("still verifies once a person's key is shredded, and shows that person's events as erased", async () => {
      const [u2] = (await openedProfiles(app, ['id', 'username'])).filter((p) => p.username === 'u2');
      await ownerSql(`delete from keyring.person_key where profile_id = ?`, [u2!.id]);
      app.services.keys.forgetCustomer(customerId);
      expect(await verify()).toEqual({ ok: true, eventsChecked: 5, brokenEventId: null, brokenSeq: null, reason: null });
      const created = (await events()).filter((e) => e.action === 'profile.created');
      expect(created.filter((e) => e.isErased)).toHaveLength(1);
      expect(created.map((e) => e.subject).sort()).toEqual([null, 'u1', 'u3', 'u4']);
    });

    it('names the link after an event that was removed', async () => {
      await ownerSql(`delete from audit_event where customer_id = ? and seq = 2`, [customerId]);
      expect(await verify()).toEqual({ ok: false, eventsChecked: 1, brokenEventId: await eventAt(3), brokenSeq: 3, reason: 'sequence' });
    });

    it('still verifies once personal values are erased, and shows the events as erased', async () => {
      await ownerSql(`delete from audit_payload where customer_id = ?`, [customerId]);
      expect((await verify()).ok).toBe(true);
      const trail = await events();
      const profileEvents = trail.filter((e) => e.action === 'profile.created');
      expect(profileEvents).toHaveLength(4);
      expect(profileEvents.every((e) => e.isErased && e.subject === null && e.changes.length === 0 && e.fields.includes('email'))).toBe(true);
    });

    it('does not let the service rewrite or delete a link', async () => {
      const id = await eventAt(2);
      await expect(app.db.run({ kind: 'customer', customerId }, () => app.orm.em.execute(`update audit_event set action = 'x' where id = ?`, [id]))).rejects.toThrow(/permission denied/);
      await expect(app.db.run({ kind: 'customer', customerId }, () => app.orm.em.execute(`delete from audit_event where id = ?`, [id]))).rejects.toThrow(/permission denied/);
    });
  });
});
