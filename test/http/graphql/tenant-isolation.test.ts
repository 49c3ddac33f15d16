import { App } from '../../../src/app';
import { OAUTH_SCOPES } from '../../../src/oauth';
import { createTestCustomer, resetDatabase, startPublicTestApp, tableCounts } from '../../support/app';
import { consentForm, postback, startLogin } from '../../support/flow';
import { graphql } from '../../support/graphql';
import { clientToken } from '../../support/oauth';
import { npmOpenid } from '../../support/rp';

interface Tenant {
  id: string;
  slug: string;
  authRequestId: string;
  consentDecisionId: string;
  profileId: string;
  oauthClientId: string;
}

/** Everything B owns, read by the operator: must be the same before and after A's attempts. */
const SNAPSHOT = `query($b: ID!) {
  customer(id: $b) { id name verifyUrl updatedAt }
  consentDecisions(first: 100) { nodes { id customerId revokedAt } }
  profiles(first: 100) { nodes { id customerId nickname email updatedAt } }
  oauthClients(customerId: $b, first: 100) { nodes { clientId isDisabled } }
}`;

describe('tenant isolation: a client of customer A never sees or changes customer B', () => {
  let app: App;
  let a: Tenant;
  let b: Tenant;
  let tokenA: string;

  beforeAll(async () => {
    app = await startPublicTestApp();
  });
  afterAll(() => app.stop());

  /** A customer with one completed, remembered, consented sign-in (auth request, decision, profile) and one OAuth client. */
  async function tenantWithData(slug: string): Promise<Tenant> {
    const { customer, apiKey } = await createTestCustomer(app, slug);
    const login = await startLogin(app, slug, { extensions: [new npmOpenid.SimpleRegistration({ email: 'required' })] });
    await postback(app, slug, { request_id: login.requestId, api_key: apiKey, username: `${slug}-user`, sreg_email: `${slug}@example.org`, sreg_nickname: slug });
    const form = consentForm((await login.browser.get(`${app.url}/c/${slug}/ows_return?request_id=${login.requestId}`)).body);
    await login.browser.postForm(`${app.url}/c/${slug}/ows_consent`, [['auth_request', form.authRequest], ['csrf', form.csrf], ['share', 'email'], ['decision', 'allow'], ['remember', 'true']]);
    const { clientId } = await clientToken(app, customer.id, ['profiles:read']);
    const seen = await graphql<{ consentDecisions: { nodes: Array<{ id: string; customerId: string }> }; profiles: { nodes: Array<{ id: string; customerId: string }> }; oauthClients: { nodes: Array<{ id: string; clientId: string }> } }>(
      app.url!,
      `query($c: ID!) { consentDecisions(first: 100) { nodes { id customerId } } profiles(first: 100) { nodes { id customerId } } oauthClients(customerId: $c, first: 10) { nodes { id clientId } } }`,
      { c: customer.id },
    );
    const own = <T extends { customerId: string }>(rows: T[]) => rows.filter((r) => r.customerId === customer.id)[0]!;
    return {
      id: customer.id,
      slug,
      authRequestId: form.authRequest,
      consentDecisionId: own(seen.data!.consentDecisions.nodes).id,
      profileId: own(seen.data!.profiles.nodes).id,
      oauthClientId: seen.data!.oauthClients.nodes.find((c) => c.clientId === clientId)!.id,
    };
  }

  beforeEach(async () => {
    await resetDatabase();
    a = await tenantWithData('alpha');
    b = await tenantWithData('beta');
    ({ token: tokenA } = await clientToken(app, a.id, [...OAUTH_SCOPES]));
  });

  it('queries find only A\'s rows', async () => {
    const res = await graphql<Record<string, unknown>>(
      app.url!,
      `query($b: ID!, $bSlug: String!, $req: ID!, $prof: ID!) {
        byId: customer(id: $b) { id }
        bySlug: customer(slug: $bSlug) { id }
        customers(first: 100) { nodes { id } }
        authRequests(first: 100) { nodes { id customerId } }
        authRequest(id: $req) { id }
        consentDecisions(first: 100) { nodes { id customerId } }
        profiles(first: 100) { nodes { id customerId } }
        profile(id: $prof) { id }
        profileByUsername(customerId: $b, username: "beta-user") { id }
      }`,
      { b: b.id, bSlug: b.slug, req: b.authRequestId, prof: b.profileId },
      tokenA,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      byId: null,
      bySlug: null,
      customers: { nodes: [{ id: a.id }] },
      authRequests: { nodes: [{ id: a.authRequestId, customerId: a.id }] },
      authRequest: null,
      consentDecisions: { nodes: [{ id: a.consentDecisionId, customerId: a.id }] },
      profiles: { nodes: [{ id: a.profileId, customerId: a.id }] },
      profile: null,
      profileByUsername: null,
    });
  });

  it('mutations on B\'s ids are NOT_FOUND (or FORBIDDEN for operator-only ones) and change nothing', async () => {
    const before = await tableCounts();
    const snapshot = await graphql(app.url!, SNAPSHOT, { b: b.id });
    expect(snapshot.errors).toBeUndefined();

    const attempts: Array<[string, Record<string, unknown>, string]> = [
      [`mutation($id: ID!) { updateCustomer(id: $id, input: { name: "Pwned" }) { customer { id } } }`, { id: b.id }, 'NOT_FOUND'],
      [`mutation($id: ID!) { rotateCustomerApiKey(id: $id) { apiKey } }`, { id: b.id }, 'NOT_FOUND'],
      [`mutation($id: ID!) { revokeConsentDecision(id: $id) { consentDecision { id } } }`, { id: b.consentDecisionId }, 'NOT_FOUND'],
      [`mutation($id: ID!) { updateProfile(id: $id, input: { email: "x@evil.example", nickname: null }) { profile { id } } }`, { id: b.profileId }, 'NOT_FOUND'],
      [`mutation { createCustomer(input: { slug: "gamma", name: "G", verifyUrl: "http://127.0.0.1:9/v", region: EU }) { apiKey } }`, {}, 'FORBIDDEN'],
      [`mutation($c: ID!) { createOAuthClient(input: { customerId: $c, name: "x", scopes: ["profiles:read"] }) { clientSecret } }`, { c: b.id }, 'FORBIDDEN'],
      [`mutation($id: ID!) { rotateOAuthClientSecret(id: $id) { clientSecret } }`, { id: b.oauthClientId }, 'FORBIDDEN'],
      [`mutation($id: ID!) { disableOAuthClient(id: $id) { client { id } } }`, { id: b.oauthClientId }, 'FORBIDDEN'],
      [`query($c: ID!) { oauthClients(customerId: $c, first: 10) { nodes { id } } }`, { c: b.id }, 'FORBIDDEN'],
    ];
    for (const [operation, variables, code] of attempts) {
      const res = await graphql(app.url!, operation, variables, tokenA);
      expect({ operation, code: res.errors?.[0]?.extensions?.code }).toEqual({ operation, code });
      expect(res.data ?? null).toBeNull();
    }

    expect(await tableCounts()).toEqual(before);
    expect(await graphql(app.url!, SNAPSHOT, { b: b.id })).toEqual(snapshot);
  });

  it('the same mutations work on A\'s own ids', async () => {
    const rename = await graphql(app.url!, `mutation($id: ID!) { updateCustomer(id: $id, input: { name: "Alpha 2" }) { customer { name } } }`, { id: a.id }, tokenA);
    expect(rename.data).toEqual({ updateCustomer: { customer: { name: 'Alpha 2' } } });
    const revoke = await graphql<{ revokeConsentDecision: { consentDecision: { revokedAt: string | null } } }>(
      app.url!, `mutation($id: ID!) { revokeConsentDecision(id: $id) { consentDecision { revokedAt } } }`, { id: a.consentDecisionId }, tokenA,
    );
    expect(revoke.data!.revokeConsentDecision.consentDecision.revokedAt).not.toBeNull();
  });
});
