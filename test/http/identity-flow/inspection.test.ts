import { App } from '../../../src/app';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { consentForm, postback, startLogin } from '../../support/flow';
import { graphql } from '../../support/graphql';
import { npmOpenid } from '../../support/rp';

const REQUEST = `query($id: ID!) { authRequest(id: $id) { id status username realm requestedFields releasedFields outcome failureReason timeline { event fromStatus toStatus at reason } } }`;

describe('inspecting the flow over GraphQL', () => {
  let app: App;
  let apiKey: string;

  beforeAll(async () => {
    app = await startPublicTestApp();
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    await resetDatabase();
    ({ apiKey } = await createTestCustomer(app, 'acme'));
  });

  async function consentedLogin(remember: boolean) {
    const login = await startLogin(app, 'acme', { extensions: [new npmOpenid.SimpleRegistration({ email: 'required', nickname: 'optional' })] });
    await postback(app, 'acme', { request_id: login.requestId, api_key: apiKey, username: 'alice', sreg_email: 'a@example.com', sreg_nickname: 'al' });
    const form = consentForm((await login.browser.get(`${app.url}/c/acme/ows_return?request_id=${login.requestId}`)).body);
    const fields: Array<[string, string]> = [['auth_request', form.authRequest], ['csrf', form.csrf], ['share', 'email'], ['decision', 'allow']];
    if (remember) fields.push(['remember', 'true']);
    const answer = await login.browser.postForm(`${app.url}/c/acme/ows_consent`, fields);
    return { ...login, authRequestId: form.authRequest, answer };
  }

  it('shows a request\'s timeline, requested and released fields, and no secrets', async () => {
    const { authRequestId, requestId } = await consentedLogin(false);
    const res = await graphql<{ authRequest: Record<string, unknown> & { timeline: Array<Record<string, unknown>> } }>(app.url!, REQUEST, { id: authRequestId });
    expect(res.errors).toBeUndefined();
    const request = res.data!.authRequest;
    expect(request).toMatchObject({
      status: 'COMPLETED',
      username: 'alice',
      realm: 'http://rp.example.org/',
      requestedFields: ['email', 'nickname'],
      releasedFields: ['email'],
      outcome: 'id_res',
      failureReason: null,
    });
    expect(request.timeline.map((t) => [t.event, t.fromStatus, t.toStatus])).toEqual([
      // The realm is plain http, which RP discovery does not fetch: FAILED (url_refused), recorded first.
      ['VERIFY_RETURN_TO', null, 'AWAITING_AW'],
      ['HANDOFF', null, 'AWAITING_AW'],
      ['POSTBACK_USER', 'AWAITING_AW', 'AUTHENTICATED'],
      ['SHOW_CONSENT', 'AUTHENTICATED', 'CONSENT_PENDING'],
      ['COMPLETE', 'CONSENT_PENDING', 'COMPLETED'],
    ]);
    expect(JSON.stringify(res.data)).not.toContain(requestId);
    expect(JSON.stringify(res.data)).not.toContain(apiKey);
  });

  it('lists requests filtered by status and user, and pages newest first', async () => {
    await consentedLogin(false);
    const pending = await startLogin(app, 'acme');
    const list = await graphql<{ authRequests: { nodes: Array<{ status: string; username: string | null }> } }>(
      app.url!,
      `query($filter: AuthRequestFilter) { authRequests(filter: $filter, first: 10) { nodes { status username } } }`,
      { filter: { status: 'AWAITING_AW' } },
    );
    expect(list.data!.authRequests.nodes).toEqual([{ status: 'AWAITING_AW', username: null }]);
    const byUser = await graphql<{ authRequests: { nodes: unknown[] } }>(app.url!, `{ authRequests(filter: {username: "alice"}, first: 10) { nodes { id } } }`);
    expect(byUser.data!.authRequests.nodes).toHaveLength(1);
    // Matched by the username's keyed hash (issue 17): exact only, the stored username being a ciphertext.
    const byPrefix = await graphql<{ authRequests: { nodes: unknown[] } }>(app.url!, `{ authRequests(filter: {username: "ali"}, first: 10) { nodes { id } } }`);
    expect(byPrefix.data!.authRequests.nodes).toEqual([]);
    expect(await ownerSql(`select username from auth_request where username is not null`)).toEqual([{ username: expect.stringMatching(/^ef1\./) }]);
    expect(pending.requestId).toBeTruthy();

    // Unfiltered, one at a time through the cursor: the pending (newer) request comes first.
    const pageOf = (after: string | null) =>
      graphql<{ authRequests: { nodes: Array<{ status: string }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>(
        app.url!,
        `query($after: String) { authRequests(first: 1, after: $after) { nodes { status } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
    const first = (await pageOf(null)).data!.authRequests;
    expect(first.nodes).toEqual([{ status: 'AWAITING_AW' }]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await pageOf(first.pageInfo.endCursor)).data!.authRequests;
    expect(second.nodes).toEqual([{ status: 'COMPLETED' }]);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it('revokes a remembered consent decision, after which the user is asked again', async () => {
    await consentedLogin(true);
    const listed = await graphql<{ consentDecisions: { nodes: Array<{ id: string; decision: string; grantedFields: string[]; isRemembered: boolean; revokedAt: string | null }> } }>(
      app.url!,
      `{ consentDecisions(filter: {username: "alice", realm: "http://rp.example.org/"}, first: 10) { nodes { id decision grantedFields isRemembered revokedAt } } }`,
    );
    const [decision] = listed.data!.consentDecisions.nodes;
    expect(decision).toMatchObject({ decision: 'ALLOW', grantedFields: ['email'], isRemembered: true, revokedAt: null });

    const revoked = await graphql<{ revokeConsentDecision: { consentDecision: { revokedAt: string | null } } }>(
      app.url!,
      `mutation($id: ID!) { revokeConsentDecision(id: $id) { consentDecision { revokedAt } } }`,
      { id: decision!.id },
    );
    expect(revoked.data!.revokeConsentDecision.consentDecision.revokedAt).not.toBeNull();

    const again = await startLogin(app, 'acme');
    await postback(app, 'acme', { request_id: again.requestId, api_key: apiKey, username: 'alice' });
    const page = await again.browser.get(`${app.url}/c/acme/ows_return?request_id=${again.requestId}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('name="decision" value="allow"');
  });

  it('answers NOT_FOUND for revoking an unknown decision', async () => {
    const res = await graphql(app.url!, `mutation { revokeConsentDecision(id: "00000000-0000-4000-8000-000000000000") { consentDecision { id } } }`);
    expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
