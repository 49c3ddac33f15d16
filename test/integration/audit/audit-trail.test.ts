import { App } from '../../../src/app';
import { drainAuditOutbox } from '../../../src/audit/audit-drain.job';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp, tableCounts } from '../../support/app';
import { consentForm, postback, startLogin } from '../../support/flow';
import { graphql } from '../../support/graphql';
import { clientToken } from '../../support/oauth';
import { npmOpenid } from '../../support/rp';

interface Event {
  id: string;
  seq: number;
  actorKind: string;
  actorId: string;
  action: string;
  targetType: string;
  subject: string | null;
  fields: string[];
  isErased: boolean;
  changes: Array<{ field: string; oldValue: string | null; newValue: string | null }>;
}

const EVENTS = `query($filter: AuditEventFilter, $first: Int!) {
  auditEvents(filter: $filter, first: $first) { nodes { id seq actorKind actorId action targetType subject fields isErased changes { field oldValue newValue } } pageInfo { hasNextPage endCursor } }
}`;
const VERIFY = `query($c: ID) { verifyAuditChain(customerId: $c) { ok eventsChecked brokenEventId brokenSeq reason } }`;

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

  async function events(filter: Record<string, unknown> = {}, token?: string): Promise<Event[]> {
    await drainAuditOutbox(app.db, app.services.audit, 1000);
    const res = await graphql<{ auditEvents: { nodes: Event[] } }>(app.url!, EVENTS, { filter: { customerId, ...filter }, first: 100 }, token);
    expect(res.errors).toBeUndefined();
    return res.data!.auditEvents.nodes;
  }

  async function profileId(username: string): Promise<string> {
    const [row] = await ownerSql(`select id from profile where username = ?`, [username]);
    return (row as { id: string }).id;
  }

  it('records every change to personal data exactly once, with who, what, and the old and new values', async () => {
    await signIn('alice', { sreg_email: 'alice@example.org', sreg_country: 'fr' });
    await signIn('alice', { sreg_email: 'alice@example.org', sreg_country: 'fr' }); // nothing changes: no event
    await signIn('alice', { sreg_email: 'alice@new.example.org' });
    const update = await graphql(app.url!, `mutation($id: ID!) { updateProfile(id: $id, input: { country: "DE" }) { profile { country } } }`, { id: await profileId('alice') });
    expect(update.errors).toBeUndefined();

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
    await graphql(app.url!, `mutation($id: ID!) { revokeConsentDecision(id: $id) { consentDecision { revokedAt } } }`, { id: (decision as { id: string }).id });
    await graphql(app.url!, `mutation($id: ID!) { revokeConsentDecision(id: $id) { consentDecision { revokedAt } } }`, { id: (decision as { id: string }).id });
    const trail = (await events({ subject: 'bob' })).reverse();
    expect(trail.map((e) => [e.action, e.actorKind])).toEqual([
      ['profile.created', 'AW'],
      ['consent.granted', 'USER'],
      ['login.succeeded', 'USER'],
      ['consent.revoked', 'OPERATOR'],
    ]);
  });

  it('records configuration changes, key rotation and token issuance with no secret in them', async () => {
    await graphql(app.url!, `mutation($id: ID!) { updateCustomer(id: $id, input: { name: "Acme Two" }) { customer { name } } }`, { id: customerId });
    const rotated = await graphql<{ rotateCustomerApiKey: { apiKey: string } }>(app.url!, `mutation($id: ID!) { rotateCustomerApiKey(id: $id) { apiKey } }`, { id: customerId });
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
    for (const secret of [apiKey, rotated.data!.rotateCustomerApiKey.apiKey, token, clientSecret]) expect(stored).not.toContain(secret);
    expect(stored).toContain('Acme Two');
  });

  it('writes nothing for a change that is refused', async () => {
    await signIn('carol', { sreg_email: 'carol@example.org' });
    await drainAuditOutbox(app.db, app.services.audit, 1000);
    const before = await tableCounts();
    const res = await graphql(app.url!, `mutation($id: ID!) { updateProfile(id: $id, input: { email: "not an address" }) { profile { email } } }`, { id: await profileId('carol') });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await tableCounts()).toEqual(before);
  });

  it('shows personal values only with their field scope: FORBIDDEN at that value, the rest resolves', async () => {
    await signIn('dave', { sreg_email: 'dave@example.org', sreg_country: 'nl' });
    const { token } = await clientToken(app, customerId, ['audit:read', 'profile.country']);
    await drainAuditOutbox(app.db, app.services.audit, 1000);
    const res = await graphql<{ auditEvents: { nodes: Event[] } }>(app.url!, EVENTS, { filter: { subject: 'dave' }, first: 10 }, token);
    const [created] = res.data!.auditEvents.nodes;
    expect(created!.action).toBe('profile.created');
    expect(created!.changes).toEqual([
      { field: 'country', oldValue: null, newValue: 'NL' },
      { field: 'email', oldValue: null, newValue: null },
    ]);
    const forbidden = (res.errors ?? []).map((e) => [e.path?.join('.'), e.extensions?.code]);
    expect(forbidden).toEqual([
      ['auditEvents.nodes.0.changes.1.oldValue', 'FORBIDDEN'],
      ['auditEvents.nodes.0.changes.1.newValue', 'FORBIDDEN'],
    ]);
  });

  it("never shows a client another customer's trail", async () => {
    const other = await createTestCustomer(app, 'other');
    const { token } = await clientToken(app, other.customer.id, ['audit:read']);
    await signIn('erin', { sreg_email: 'erin@example.org' });
    await drainAuditOutbox(app.db, app.services.audit, 1000);
    const res = await graphql<{ auditEvents: { nodes: Event[] } }>(app.url!, EVENTS, { filter: { customerId }, first: 100 }, token);
    expect(res.data!.auditEvents.nodes).toEqual([]);
    const verify = await graphql(app.url!, VERIFY, { c: customerId }, token);
    expect(verify.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  describe('tamper evidence', () => {
    beforeEach(async () => {
      for (const name of ['u1', 'u2', 'u3', 'u4']) await signIn(name, { sreg_email: `${name}@example.org` });
      await drainAuditOutbox(app.db, app.services.audit, 2); // several batches: the chain continues across them
    });

    async function verify() {
      const res = await graphql<{ verifyAuditChain: { ok: boolean; eventsChecked: number; brokenEventId: string | null; brokenSeq: number | null; reason: string | null } }>(app.url!, VERIFY, { c: customerId });
      return res.data!.verifyAuditChain;
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
