import { openedDeliveryBodies } from '../../support/sealed';
import { App } from '../../../src/app';
import { drainAuditOutbox } from '../../../src/audit/audit-drain.job';
import { platformScope } from '../../../src/db/scope';
import { sweepProfileExports } from '../../../src/exports';
import { FixedClock } from '../../../src/shared/clock';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { profileIdOf } from '../../support/sealed';
import { consentForm, postback, startLogin } from '../../support/flow';
import { graphql } from '../../support/graphql';
import { operatorToken } from '../../support/operators';
import { npmOpenid } from '../../support/rp';
import { sdk } from '../../support/sdk';
import { CreateWebhookEndpointDocument } from '../../../clients/typescript/src';

const REQUEST = `mutation($p: ID!, $dsar: Boolean) { requestProfileExport(profileId: $p, forDataSubjectAccessRequest: $dsar) { profileExport { id isDataSubjectAccessRequest } } }`;
const DOWNLOAD = `query($id: ID!) { profileExport(id: $id) { status downloadUrl } }`;

/**
 * A restricted person's data leaves through no side door (issue 14): exports, webhook payloads,
 * authentication-request and consent-decision reads all follow the one disclosure rule, and the
 * person's own access request is the single audited way to get it whole.
 */
describe('a restricted profile through every other reader', () => {
  let app: App;
  let customerId: string;
  let apiKey: string;
  let aliceId: string;
  const clock = new FixedClock(new Date());

  beforeAll(async () => {
    app = await startPublicTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }, { clock });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    clock.set(new Date());
    await resetDatabase();
    ({ customer: { id: customerId }, apiKey } = await createTestCustomer(app, 'acme'));
    await sdk(app).request(CreateWebhookEndpointDocument, { customerId, input: { url: 'http://127.0.0.1:9/hooks', events: ['login.succeeded', 'consent.granted', 'export.ready'] } });
    // Alice signs in with consent (a decision, a request with a realm and released fields), then is restricted.
    await signIn('alice');
    aliceId = await profileIdOf(app, 'alice');
    await dispatchWebhooks();
    const restricted = await graphql(app.url!, `mutation($id: ID!) { setProfileRestriction(profileId: $id, restricted: true) { profile { id } } }`, { id: aliceId });
    expect(restricted.errors).toBeUndefined();
  });

  async function signIn(username: string) {
    clock.advance(1_000); // newest-first lists get a stable order
    const login = await startLogin(app, 'acme', { extensions: [new npmOpenid.SimpleRegistration({ email: 'required' })] });
    expect((await postback(app, 'acme', { request_id: login.requestId, api_key: apiKey, username, sreg_email: `${username}@example.org` })).status).toBe(200);
    const form = consentForm((await login.browser.get(`${app.url}/c/acme/ows_return?request_id=${login.requestId}`)).body);
    const done = await login.browser.postForm(`${app.url}/c/acme/ows_consent`, [['auth_request', form.authRequest], ['csrf', form.csrf], ['share', 'email'], ['decision', 'allow']]);
    expect(done.status).toBe(302);
  }

  async function dispatchWebhooks(): Promise<void> {
    await app.db.run(platformScope('test: dispatch webhooks', { routine: true }), () => app.services.webhooks.dispatcher.dispatch(1000));
  }

  async function exportDocument(dsar: boolean | null, token?: string) {
    const res = await graphql<{ requestProfileExport: { profileExport: { id: string; isDataSubjectAccessRequest: boolean } } }>(app.url!, REQUEST, { p: aliceId, dsar }, token);
    expect(res.errors).toBeUndefined();
    const { id, isDataSubjectAccessRequest } = res.data!.requestProfileExport.profileExport;
    expect(isDataSubjectAccessRequest).toBe(dsar === true);
    await sweepProfileExports(app.db, app.services.exports);
    const shown = await graphql<{ profileExport: { downloadUrl: string } }>(app.url!, DOWNLOAD, { id }, token);
    const body = await (await fetch(shown.data!.profileExport.downloadUrl)).text();
    return { id, body, document: JSON.parse(body) as Record<string, unknown> };
  }

  it('exports only what a restricted read shows: the id and the flag, nothing about the person', async () => {
    const { body, document } = await exportDocument(null);
    expect(document).toMatchObject({
      format: 'ids.profile-export/1',
      profile: { id: aliceId, isRestricted: true, restrictedAt: expect.any(String) },
      previousValues: [],
      consentDecisions: [],
      authenticationHistory: [],
      auditEvents: [],
    });
    expect(body).not.toContain('alice');
    expect(body).not.toContain('rp.example.org');
  });

  it('stops a portability export built before the restriction at its download link (403), but not an access request', async () => {
    const setRestriction = (restricted: boolean) =>
      graphql(app.url!, `mutation($id: ID!, $r: Boolean!) { setProfileRestriction(profileId: $id, restricted: $r) { profile { id } } }`, { id: aliceId, r: restricted });
    expect((await setRestriction(false)).errors).toBeUndefined();
    const built = async (dsar: boolean | null, token?: string) => {
      const res = await graphql<{ requestProfileExport: { profileExport: { id: string } } }>(app.url!, REQUEST, { p: aliceId, dsar }, token);
      await sweepProfileExports(app.db, app.services.exports);
      const shown = await graphql<{ profileExport: { downloadUrl: string } }>(app.url!, DOWNLOAD, { id: res.data!.requestProfileExport.profileExport.id }, token);
      return shown.data!.profileExport.downloadUrl;
    };
    const portability = await built(null);
    const access = await built(true, await operatorToken(app, 'ADMIN', customerId));
    expect((await fetch(portability)).status).toBe(200);
    clock.advance(1_000);
    expect((await setRestriction(true)).errors).toBeUndefined();
    const refused = await fetch(portability);
    expect(refused.status).toBe(403);
    const body = await refused.text();
    expect(body).toBe('error: processing_restricted\n');
    const own = await fetch(access);
    expect(own.status).toBe(200);
    expect(await own.text()).toContain('alice@example.org');
  });

  it('exports everything for the person\'s own access request, only with profiles:subject-access, audited with that purpose', async () => {
    const support = await operatorToken(app, 'SUPPORT', customerId);
    const refused = await graphql(app.url!, REQUEST, { p: aliceId, dsar: true }, support);
    expect(refused.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN', missingScopes: ['profiles:subject-access'] } });
    expect(await ownerSql(`select id from profile_export`)).toEqual([]);

    const admin = await operatorToken(app, 'ADMIN', customerId);
    const { id, body, document } = await exportDocument(true, admin);
    expect(document).toMatchObject({ profile: { id: aliceId, username: 'alice', email: 'alice@example.org' } });
    expect(body).toContain('rp.example.org');
    await drainAuditOutbox(app.db, app.services.audit, 1000);
    const events = await ownerSql(`select action, details from audit_event where target_id = ? order by seq`, [id]);
    expect(events).toEqual([
      { action: 'profile.export_requested', details: { profileId: aliceId, purpose: 'data_subject_access_request', isRestricted: true } },
      { action: 'profile.exported', details: { profileId: aliceId, purpose: 'data_subject_access_request', expiresAt: expect.any(String) } },
    ]);
  });

  it('sends webhook events about a restricted person with the target id only', async () => {
    await signIn('alice');
    await dispatchWebhooks();
    const bodies = (await openedDeliveryBodies(app, `event_type = 'login.succeeded'`)).map((body) => JSON.parse(body).data);
    expect(bodies).toHaveLength(2);
    // Before the restriction: who and where; after it: nothing but the request's id.
    expect(bodies[0]).toMatchObject({ username: 'alice', realm: 'http://rp.example.org/' });
    expect(bodies[1]).toEqual({ auth_requestId: expect.any(String) });
  });

  it('shows a restricted person\'s sign-ins and consent decisions without who, where or what, and never by name', async () => {
    await signIn('bob');
    const requests = await graphql<{ authRequests: { nodes: Array<Record<string, unknown>> } }>(
      app.url!,
      `{ authRequests { nodes { status username realm returnTo releasedFields } } }`,
    );
    expect(requests.errors).toBeUndefined();
    expect(requests.data!.authRequests.nodes).toEqual([
      { status: 'COMPLETED', username: 'bob', realm: 'http://rp.example.org/', returnTo: expect.any(String), releasedFields: ['email'] },
      { status: 'COMPLETED', username: null, realm: null, returnTo: null, releasedFields: null },
    ]);
    const decisions = await graphql<{ consentDecisions: { nodes: Array<Record<string, unknown>> } }>(app.url!, `{ consentDecisions { nodes { decision username realm grantedFields } } }`);
    expect(decisions.data!.consentDecisions.nodes).toEqual([
      { decision: 'ALLOW', username: 'bob', realm: 'http://rp.example.org/', grantedFields: ['email'] },
      { decision: 'ALLOW', username: null, realm: null, grantedFields: null },
    ]);
    const byName = await graphql<{ authRequests: { nodes: unknown[] }; consentDecisions: { nodes: unknown[] } }>(
      app.url!,
      `{ authRequests(filter: { username: "alice" }, first: 1) { nodes { id } pageInfo { hasNextPage endCursor } }
         consentDecisions(filter: { username: "alice" }, first: 1) { nodes { id } pageInfo { hasNextPage endCursor } } }`,
    );
    // No row, and no page info either: a cursor would carry the time of her latest sign-in.
    const nothing = { nodes: [], pageInfo: { hasNextPage: false, endCursor: null } };
    expect(byName.data).toEqual({ authRequests: nothing, consentDecisions: nothing });
  });

  it.each(['VIEWER', 'AUDITOR'])('a %s sees counts and statuses of sign-ins, not who signed in where', async (role) => {
    const token = await operatorToken(app, role, customerId);
    await signIn('bob');
    const res = await graphql<{ authRequests: { nodes: Array<Record<string, unknown>> } }>(
      app.url!,
      `{ authRequests { nodes { id status outcome username realm returnTo releasedFields } } }`,
      {},
      token,
    );
    expect(res.data!.authRequests.nodes).toHaveLength(2);
    for (const node of res.data!.authRequests.nodes) {
      expect(node).toMatchObject({ status: 'COMPLETED', outcome: 'id_res', username: null, realm: null, returnTo: null, releasedFields: null });
    }
    const forbidden = (res.errors ?? []).filter((e) => e.extensions?.code === 'FORBIDDEN').map((e) => e.path!.slice(3).join('.'));
    expect(new Set(forbidden)).toEqual(new Set(['username', 'realm', 'returnTo', 'releasedFields']));
    expect(JSON.stringify(res.data)).not.toContain('bob');
    const byName = await graphql(app.url!, `{ authRequests(filter: { username: "bob" }) { nodes { id } } }`, {}, token);
    expect(byName.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN', missingScopes: ['requests.personal'] } });
  });
});
