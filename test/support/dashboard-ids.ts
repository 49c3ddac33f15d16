import { graphql } from './graphql';

/** Ids of the rows of the dashboard world that a page test may open (all acme's unless named globex). */
export interface WorldIds {
  /** alice's first sign-in at the shop RP: COMPLETED, outcome id_res, fields released. */
  succeededAuthRequest: string;
  /** Cancelled at the AW's form: COMPLETED with outcome cancel, no username. */
  cancelledAuthRequest: string;
  /** bob denied sharing with the forum RP: COMPLETED with outcome cancel. */
  deniedAuthRequest: string;
  /** Left at the AW past its expiry: EXPIRED. */
  expiredAuthRequest: string;
  /** alice: consent decisions (shop remembered, forum once), several sign-ins, an export. */
  aliceProfile: string;
  bobProfile: string;
  /** carol: one sign-in, one consent decision; expendable (delete or restrict her). */
  carolProfile: string;
  globexProfile: string;
  /** alice's remembered allow for the shop RP (revocable). */
  rememberedConsent: string;
  /** bob's deny for the forum RP. */
  deniedConsent: string;
  /** The endpoint whose receiver answers 200. */
  webhookEndpoint: string;
  /** The endpoint whose receiver answers 500: its deliveries FAILED. */
  failingWebhookEndpoint: string;
  /** A SUCCEEDED delivery at webhookEndpoint, and a FAILED one at failingWebhookEndpoint. */
  deliveredWebhook: string;
  failedWebhook: string;
  /** acme's OAuth client (client credentials). */
  oauthClient: string;
  /** The export of alice's profile (READY). */
  profileExport: string;
}

interface Request {
  id: string;
  status: string;
  outcome: string | null;
  username: string | null;
  realm: string | null;
}

interface Consent {
  id: string;
  decision: string;
  isRemembered: boolean;
  username: string | null;
  realm: string | null;
}

type Customers = { acme: { id: string }; globex: { id: string } };

/** The auth requests, consent decisions and profiles the sign-ins made, as an acme admin sees them. */
export async function findSignInIds(baseUrl: string, adminToken: string, platformToken: string, customers: Customers, shopRealm: string) {
  const { authRequests, consentDecisions } = await call<{ authRequests: { nodes: Request[] }; consentDecisions: { nodes: Consent[] } }>(
    baseUrl,
    adminToken,
    '{ authRequests(first: 100) { nodes { id status outcome username realm } } consentDecisions(first: 100) { nodes { id decision isRemembered username realm } } }',
  );
  const oldestFirst = [...authRequests.nodes].reverse();
  const profileOf = async (token: string, customerId: string, username: string) =>
    (await call<{ profileByUsername: { id: string } | null }>(baseUrl, token, 'query($c: ID!, $u: String!) { profileByUsername(customerId: $c, username: $u) { id } }', { c: customerId, u: username })).profileByUsername?.id;
  return {
    succeededAuthRequest: only(oldestFirst.filter((r) => r.outcome === 'id_res' && r.username === 'alice' && r.realm === shopRealm).slice(0, 1), 'alice at the shop'),
    cancelledAuthRequest: only(oldestFirst.filter((r) => r.outcome === 'cancel' && r.username === null), 'a sign-in cancelled at the AW'),
    deniedAuthRequest: only(oldestFirst.filter((r) => r.outcome === 'cancel' && r.username === 'bob'), "bob's denied sign-in"),
    expiredAuthRequest: only(oldestFirst.filter((r) => r.status === 'EXPIRED'), 'an expired sign-in'),
    rememberedConsent: only(consentDecisions.nodes.filter((c) => c.username === 'alice' && c.realm === shopRealm && c.isRemembered), "alice's remembered decision"),
    deniedConsent: only(consentDecisions.nodes.filter((c) => c.username === 'bob' && c.decision.toUpperCase() === 'DENY'), "bob's denial"),
    aliceProfile: required(await profileOf(adminToken, customers.acme.id, 'alice'), 'alice'),
    bobProfile: required(await profileOf(adminToken, customers.acme.id, 'bob'), 'bob'),
    carolProfile: required(await profileOf(adminToken, customers.acme.id, 'carol'), 'carol'),
    globexProfile: required(await profileOf(platformToken, customers.globex.id, 'globex-only-user'), 'globex-only-user'),
  };
}

/** One delivery of `status` at `endpointId`. */
export async function deliveryId(baseUrl: string, token: string, endpointId: string, status: 'SUCCEEDED' | 'FAILED'): Promise<string | undefined> {
  const res = await call<{ webhookDeliveries: { nodes: Array<{ id: string }> } }>(
    baseUrl,
    token,
    'query($f: WebhookDeliveryFilter) { webhookDeliveries(first: 1, filter: $f) { nodes { id } } }',
    { f: { endpointId, status } },
  );
  return res.webhookDeliveries.nodes[0]?.id;
}

function only<T extends { id: string }>(rows: T[], what: string): string {
  if (rows.length !== 1) throw new Error(`expected one row for ${what}, found ${rows.length}`);
  return rows[0]!.id;
}

function required(id: string | undefined, what: string): string {
  if (!id) throw new Error(`no profile for ${what}`);
  return id;
}

/** A GraphQL operation that must succeed; answers its data. */
export async function call<T>(baseUrl: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await graphql<T>(baseUrl, query, variables, token);
  if (res.errors || !res.data) throw new Error(`GraphQL failed (${res.status}): ${JSON.stringify(res.errors)}\n${query}`);
  return res.data;
}
