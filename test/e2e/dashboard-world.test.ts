import { DashboardWorld, startDashboardWorld } from '../support/dashboard';
import { graphql } from '../support/graphql';

interface Request {
  id: string;
  customerId: string;
  status: string;
  outcome: string | null;
  username: string | null;
  realm: string | null;
}

/**
 * The dashboard's end-to-end tests stand on this world (test/support/dashboard-seed.ts): checked here
 * through the GraphQL API, as each role sees it, so a page test that finds less blames the page.
 */
describe('the dashboard world', () => {
  let world: DashboardWorld;
  let shop: string;
  let forum: string;

  beforeAll(async () => {
    world = await startDashboardWorld();
    shop = `${world.sites.shopRpUrl}/`;
    forum = `${world.sites.forumRpUrl}/`;
  }, 120_000);
  afterAll(() => world?.stop());

  async function query<T>(token: string, text: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await graphql<T>(world.baseUrl, text, variables, token);
    expect(res.errors).toBeUndefined();
    return res.data!;
  }

  const REQUESTS = '{ authRequests(first: 100) { nodes { id customerId status outcome username realm } } }';

  it('holds acme sign-ins made through the sample sites: succeeded, remembered, denied, cancelled at the AW, expired', async () => {
    const { authRequests } = await query<{ authRequests: { nodes: Request[] } }>(world.tokens.admin, REQUESTS);
    const seen = authRequests.nodes.map((r) => [r.username, r.realm, r.status, r.outcome].join(' ')).sort();
    expect(seen).toEqual(
      [
        `alice ${shop} COMPLETED id_res`,
        `alice ${shop} COMPLETED id_res`,
        `alice ${forum} COMPLETED id_res`,
        `carol ${shop} COMPLETED id_res`,
        `bob ${shop} COMPLETED id_res`,
        `bob ${shop} COMPLETED id_res`,
        `bob ${forum} COMPLETED cancel`,
        ` ${shop} COMPLETED cancel`,
        ` ${shop} EXPIRED `,
      ].sort(),
    );
    expect(new Set(authRequests.nodes.map((r) => r.customerId))).toEqual(new Set([world.customers.acme.id]));
    const byId = new Map(authRequests.nodes.map((r) => [r.id, r]));
    const { ids } = world;
    expect(byId.get(ids.succeededAuthRequest)).toMatchObject({ username: 'alice', realm: shop, outcome: 'id_res' });
    expect(byId.get(ids.cancelledAuthRequest)).toMatchObject({ username: null, outcome: 'cancel' });
    expect(byId.get(ids.deniedAuthRequest)).toMatchObject({ username: 'bob', realm: forum, outcome: 'cancel' });
    expect(byId.get(ids.expiredAuthRequest)).toMatchObject({ status: 'EXPIRED' });

    const { authRequest } = await query<{ authRequest: { releasedFields: string[]; failureReason: string | null; timeline: unknown[] } }>(
      world.tokens.admin,
      'query($id: ID!) { authRequest(id: $id) { releasedFields failureReason timeline { event } } }',
      { id: ids.deniedAuthRequest },
    );
    expect(authRequest).toMatchObject({ releasedFields: [], failureReason: 'the user declined on the consent page' });
    expect(authRequest.timeline.length).toBeGreaterThanOrEqual(3);
  });

  it('holds the consent decisions: two remembered allows at the shop, a one-off allow and a deny at the forum', async () => {
    const { consentDecisions } = await query<{ consentDecisions: { nodes: Array<{ id: string; username: string; realm: string; decision: string; isRemembered: boolean }> } }>(
      world.tokens.support,
      '{ consentDecisions(first: 100) { nodes { id username realm decision isRemembered } } }',
    );
    expect(consentDecisions.nodes.map((c) => `${c.username} ${c.realm} ${c.decision} ${c.isRemembered}`).sort()).toEqual(
      [`alice ${shop} ALLOW true`, `bob ${shop} ALLOW true`, `carol ${shop} ALLOW false`, `alice ${forum} ALLOW false`, `bob ${forum} DENY false`].sort(),
    );
    expect(consentDecisions.nodes.find((c) => c.id === world.ids.rememberedConsent)).toMatchObject({ username: 'alice', realm: shop, isRemembered: true });
    expect(consentDecisions.nodes.find((c) => c.id === world.ids.deniedConsent)).toMatchObject({ username: 'bob', decision: 'DENY' });
    const { profile } = await query<{ profile: { username: string; email: string; consentDecisions: unknown[] } }>(
      world.tokens.admin,
      'query($id: ID!) { profile(id: $id) { username email consentDecisions { id } } }',
      { id: world.ids.aliceProfile },
    );
    expect(profile).toMatchObject({ username: 'alice', email: 'alice@example.org' });
    expect(profile.consentDecisions).toHaveLength(2);
  });

  it('delivered webhooks to the answering receiver and failed them, after every retry, at the failing one', async () => {
    const delivery = (id: string) =>
      query<{ webhookDeliveries: { nodes: Array<{ id: string; endpointId: string; status: string; attemptCount: number; attempts: Array<{ statusCode: number | null }> }> } }>(
        world.tokens.admin,
        '{ webhookDeliveries(first: 100) { nodes { id endpointId status attemptCount attempts { statusCode } } } }',
      ).then((d) => d.webhookDeliveries.nodes.find((n) => n.id === id));
    expect(await delivery(world.ids.deliveredWebhook)).toMatchObject({ endpointId: world.ids.webhookEndpoint, status: 'SUCCEEDED', attempts: [{ statusCode: 200 }] });
    expect(await delivery(world.ids.failedWebhook)).toMatchObject({ endpointId: world.ids.failingWebhookEndpoint, status: 'FAILED', attemptCount: 3 });
    expect(world.receivers.ok.received.length).toBeGreaterThan(0);
    expect(world.receivers.failing.received.length).toBeGreaterThanOrEqual(3);
  });

  it('has an OAuth client, an export of alice ready to download, and an audit trail whose chain verifies', async () => {
    const { acme } = world.customers;
    const data = await query<{ profileExport: { status: string; downloadUrl: string | null; profileId: string }; verifyAuditChain: { ok: boolean; eventsChecked: number } }>(
      world.tokens.owner,
      'query($c: ID!, $e: ID!) { profileExport(id: $e) { status downloadUrl profileId } verifyAuditChain(customerId: $c) { ok eventsChecked } }',
      { c: acme.id, e: world.ids.profileExport },
    );
    // OAuth client management is the platform operator's (the `operator` pseudo-scope).
    const { oauthClients } = await query<{ oauthClients: { nodes: Array<{ id: string }> } }>(world.tokens.platformOwner, 'query($c: ID!) { oauthClients(customerId: $c) { nodes { id } } }', { c: acme.id });
    expect(oauthClients.nodes.map((n) => n.id)).toEqual([world.ids.oauthClient]);
    expect(data.profileExport).toMatchObject({ status: 'READY', profileId: world.ids.aliceProfile, downloadUrl: expect.any(String) });
    expect(data.verifyAuditChain.ok).toBe(true);
    expect(data.verifyAuditChain.eventsChecked).toBeGreaterThan(10);
  });

  it('keeps globex apart: its user is seen by the platform owner only, never by acme operators', async () => {
    const { globex, acme } = world.customers;
    const everyone = await query<{ authRequests: { nodes: Request[] } }>(world.tokens.platformOwner, REQUESTS);
    expect(everyone.authRequests.nodes.filter((r) => r.customerId === globex.id).map((r) => [r.username, r.status, r.outcome])).toEqual([['globex-only-user', 'COMPLETED', 'id_res']]);
    const acmeIds = everyone.authRequests.nodes.filter((r) => r.customerId === acme.id).map((r) => r.id);
    for (const token of [world.tokens.owner, world.tokens.admin, world.tokens.support]) {
      const own = await graphql<{ authRequests: { nodes: Request[] }; profileByUsername: unknown; customer: unknown }>(
        world.baseUrl,
        'query($g: ID!) { authRequests(first: 100) { nodes { id customerId } } profileByUsername(customerId: $g, username: "globex-only-user") { id } customer(id: $g) { id } }',
        { g: globex.id },
        token,
      );
      // Answered with acme's rows only, and nothing for globex's user or customer.
      expect(own.errors).toBeUndefined();
      expect(own.data!.authRequests.nodes.map((r) => r.id)).toEqual(acmeIds);
      expect([own.data!.profileByUsername, own.data!.customer]).toEqual([null, null]);
      const res = await graphql<{ profile: unknown }>(world.baseUrl, 'query($id: ID!) { profile(id: $id) { id } }', { id: world.ids.globexProfile }, token);
      expect([res.errors, res.data]).toEqual([undefined, { profile: null }]);
    }
  });

  it('has a token for each role, bound to acme but for the platform owner', async () => {
    const me = (token: string) => query<{ me: { role: string; customerId: string | null } }>(token, '{ me { role customerId } }').then((d) => d.me);
    const { tokens, customers } = world;
    expect(await me(tokens.platformOwner)).toEqual({ role: 'OWNER', customerId: null });
    for (const [token, role] of [[tokens.owner, 'OWNER'], [tokens.admin, 'ADMIN'], [tokens.support, 'SUPPORT'], [tokens.auditor, 'AUDITOR'], [tokens.viewer, 'VIEWER']] as const) {
      expect(await me(token)).toEqual({ role, customerId: customers.acme.id });
    }
  });

  it('signs one more person in on demand, through the sample AW or with the test playing it', async () => {
    // As a viewer sees them: counts and statuses, not who.
    const count = async () => (await query<{ authRequests: { nodes: unknown[] } }>(world.tokens.viewer, '{ authRequests(first: 100) { nodes { id status } } }')).authRequests.nodes.length;
    const before = await count();
    // alice's remembered decision applies at the shop; carol's was not remembered; dave is new to acme.
    expect(await world.signIn('shop', world.users.alice)).toMatchObject({ isConsentShown: false, rpPage: expect.stringContaining('Signed in as') });
    expect(await world.signIn('shop', { username: 'carol' })).toMatchObject({ isConsentShown: true, rpPage: expect.stringContaining('Signed in as') });
    expect(await world.signIn('forum', { username: 'dave', decision: 'deny' })).toMatchObject({ isConsentShown: true, rpPage: expect.stringContaining('The login was cancelled') });
    await expect(world.signIn('shop', { username: 'alice', password: 'not-hers' })).rejects.toThrow("expected the AW's redirect to the Return URL, got 401");
    expect(await count()).toBe(before + 4);
  });

  it('stops the service, the sample sites and the receivers', async () => {
    const urls = [world.baseUrl, world.sites.awUrl, world.sites.shopRpUrl, world.sites.forumRpUrl, world.sites.globexRpUrl, world.receivers.ok.url, world.receivers.failing.url];
    await world.stop();
    for (const url of urls) await expect(fetch(url)).rejects.toThrow();
  });
});
