import { App } from '../../src/app';
import { hashRequestId } from '../../src/identity-flow';
import { ownerSql } from './app';
import { call, deliveryId } from './dashboard-ids';
import { signInAtRp, Sites, submitAwForm, toVerifyUrl } from './dashboard-people';
import { Browser } from './flow';
import { operatorToken } from './operators';
import { waitUntil } from './wait';

/** The steps of the dashboard world's seeding (dashboard-seed.ts) that talk to the service. */

/** Operator tokens: a platform-wide owner, and one of each role bound to acme. */
export interface DashboardTokens {
  platformOwner: string;
  owner: string;
  admin: string;
  support: string;
  auditor: string;
  viewer: string;
}

export async function makeTokens(app: App, acmeId: string): Promise<DashboardTokens> {
  const [platformOwner, owner, admin, support, auditor, viewer] = await Promise.all([
    operatorToken(app, 'OWNER', null),
    ...['OWNER', 'ADMIN', 'SUPPORT', 'AUDITOR', 'VIEWER'].map((role) => operatorToken(app, role, acmeId)),
  ]);
  return { platformOwner: platformOwner!, owner: owner!, admin: admin!, support: support!, auditor: auditor!, viewer: viewer! };
}

export async function createEndpoint(baseUrl: string, token: string, customerId: string, url: string, events: string[], description: string): Promise<string> {
  const res = await call<{ createWebhookEndpoint: { endpoint: { id: string } } }>(
    baseUrl,
    token,
    'mutation($c: ID!, $i: CreateWebhookEndpointInput!) { createWebhookEndpoint(customerId: $c, input: $i) { endpoint { id } } }',
    { c: customerId, i: { url, events, description } },
  );
  return res.createWebhookEndpoint.endpoint.id;
}

/**
 * A sign-in left at the AW's form past its expiry, then completed there: the service refuses the
 * late PostBack (REQUEST_EXPIRED) and marks the request EXPIRED; the AW shows its failure page.
 * The expiry is moved into the past rather than waited for (AUTH_REQUEST_TTL_SECONDS is 60 at least).
 */
export async function expireAtAw(sites: Sites, customerId: string): Promise<void> {
  const browser = new Browser();
  const verify = await toVerifyUrl(browser, sites);
  const requestIdHash = hashRequestId(verify.searchParams.get('request_id') ?? '');
  const moved = await ownerSql(`update auth_request set expires_at = now() - interval '1 second' where customer_id = ? and request_id_hash = ? and status = 'AWAITING_AW' returning id`, [customerId, requestIdHash]);
  if (moved.length !== 1) throw new Error(`expected the sign-in waiting at the AW, found ${moved.length}`);
  const answer = await submitAwForm(browser, verify, { username: 'alice', password: 'wonderland' });
  if (answer.status !== 502 || !answer.body.includes('it answered HTTP 4') || !answer.body.includes('request_expired')) {
    throw new Error(`expected the AW to show the refused PostBack of an expired sign-in, got ${answer.status}: ${answer.body.slice(-800)}`);
  }
}

/** Waits for the background work the pages show: the export built, the deliveries final, every audit event stored and dispatched. */
export async function settle(baseUrl: string, token: string, profileExport: string, endpoints: { ok: string; failing: string }): Promise<void> {
  await waitUntil(
    'the export of alice to be READY',
    async () => (await call<{ profileExport: { status: string } }>(baseUrl, token, 'query($id: ID!) { profileExport(id: $id) { status } }', { id: profileExport })).profileExport.status === 'READY',
    { timeoutMs: 20_000 },
  );
  await waitUntil(
    'a SUCCEEDED delivery at the answering endpoint and a FAILED one at the failing endpoint',
    async () => (await deliveryId(baseUrl, token, endpoints.ok, 'SUCCEEDED')) !== undefined && (await deliveryId(baseUrl, token, endpoints.failing, 'FAILED')) !== undefined,
    { timeoutMs: 20_000 },
  );
  await waitUntil(
    'the audit outbox to be drained and dispatched',
    async () => ((await ownerSql('select count(*)::int as n from audit_outbox where audited_at is null or dispatched_at is null'))[0] as { n: number }).n === 0,
    { timeoutMs: 20_000 },
  );
}

export async function expectSignedIn(result: ReturnType<typeof signInAtRp>, isConsentExpected: boolean): Promise<void> {
  const { isConsentShown, rpPage } = await result;
  if (!rpPage.includes('Signed in as')) throw new Error(`the RP did not sign the person in: ${rpPage.slice(0, 500)}`);
  if (isConsentShown !== isConsentExpected) throw new Error(`the consent page was ${isConsentShown ? '' : 'not '}shown`);
}

export async function expectCancelled(result: ReturnType<typeof signInAtRp>): Promise<void> {
  const { rpPage } = await result;
  if (!rpPage.includes('The login was cancelled')) throw new Error(`the RP did not show a cancelled sign-in: ${rpPage.slice(0, 500)}`);
}
