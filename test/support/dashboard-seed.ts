import { randomUUID } from 'node:crypto';
import { App } from '../../src/app';
import { PromptPolicy } from '../../src/customers';
import { createSampleAw } from '../../demo/sample-aw';
import { createSampleRp } from '../../demo/sample-rp';
import { listenOnLoopback } from '../../demo/listen';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from './app';
import { call, deliveryId, findSignInIds, WorldIds } from './dashboard-ids';
import { Browser } from './flow';
import { signInAtRp, Sites, submitAwForm, toVerifyUrl } from './dashboard-people';
import { testQueuePrefix } from './env';
import { operatorToken } from './operators';
import { freePort } from './redis-server';
import { startReceiver } from './webhook-receiver';
import { waitUntil } from './wait';

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** The sample AW's users (demo/demo-users.ts) who sign in at acme, and globex's own user. */
export const USERS = {
  alice: { username: 'alice', password: 'wonderland' },
  bob: { username: 'bob', password: 'builder' },
  /** Signs in at globex only: the name no acme page may ever show. */
  globex: { username: 'globex-only-user' },
} as const;

export interface DashboardCustomer {
  id: string;
  slug: string;
  /** The key the sites post back with (rotating it in a test leaves the old one working for the grace period). */
  apiKey: string;
}

/** Operator tokens: a platform-wide owner, and one of each role bound to acme. */
export interface DashboardTokens {
  platformOwner: string;
  owner: string;
  admin: string;
  support: string;
  auditor: string;
  viewer: string;
}

export interface DashboardWorld {
  app: App;
  /** The service's origin (PUBLIC_URL); the dashboard is at `${baseUrl}/dashboard/`. */
  baseUrl: string;
  customers: { acme: DashboardCustomer; globex: DashboardCustomer };
  tokens: DashboardTokens;
  users: typeof USERS;
  /** The sample sites: acme's AW, acme's two RPs (their realms are these plus `/`), globex's RP. */
  sites: { awUrl: string; shopRpUrl: string; forumRpUrl: string; globexRpUrl: string };
  /** The webhook receivers on loopback: `ok` answers 200 (webhookEndpoint), `failing` 500 (failingWebhookEndpoint). */
  receivers: { ok: Receiver; failing: Receiver };
  /** Interesting rows, for pages that open one (see WorldIds). */
  ids: WorldIds;
  /** Stops the sites, the receivers and the service. Safe to call twice. */
  stop(): Promise<void>;
}

export interface DashboardWorldOptions {
  /** More service configuration (e.g. what the dashboard's serving needs); wins over the world's. */
  env?: Record<string, string>;
}

/**
 * A live service (API and workers, on queues of its own) filled by real sign-ins: the sample RPs
 * send people through the service to the sample AW and back, as in `npm run demo`. What acme
 * holds when this resolves (docs for the dashboard tests; test/e2e/dashboard-world.test.ts checks it):
 * - alice and bob each allowed sharing with the shop RP and remembered it, then signed in there
 *   again without being asked; alice allowed the forum RP once without remembering; bob denied it;
 * - one sign-in cancelled at the AW's form, and one left at the AW until it expired (its late
 *   PostBack refused with REQUEST_EXPIRED);
 * - an OAuth client; two webhook endpoints, one answering 200 (deliveries SUCCEEDED) and one 500
 *   (its login.succeeded deliveries FAILED after the short retry schedule);
 * - an export of alice's profile, READY;
 * and globex holds one sign-in, of globex-only-user, which allowed its RP and remembered it.
 * Every audit event is drained before this resolves.
 */
export async function startDashboardWorld(options: DashboardWorldOptions = {}): Promise<DashboardWorld> {
  await resetDatabase();
  const app = await startPublicTestApp({
    ROLE: 'all',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    QUEUE_PREFIX: `${testQueuePrefix()}-dashboard-${randomUUID()}`,
    // The receivers are on loopback; retries short enough that a failed delivery is final in a second.
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    WEBHOOK_RETRY_SCHEDULE: '200ms,400ms',
    WEBHOOK_TIMEOUT_MS: '1000',
    WEBHOOK_POLL_INTERVAL_MS: '100',
    AUDIT_DRAIN_INTERVAL_MS: '100',
    ...options.env,
  });
  const stops: Array<() => Promise<void>> = [() => app.stop()];
  let stopping: Promise<void> | null = null;
  const stop = () => {
    // Last started, first stopped: the sites and receivers before the service.
    stopping ??= (async () => {
      const failures: unknown[] = [];
      for (const close of stops.reverse()) await close().catch((err: unknown) => failures.push(err));
      if (failures.length > 0) throw failures[0];
    })();
    return stopping;
  };
  try {
    return { ...(await seed(app, stops)), app, stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

async function seed(app: App, stops: Array<() => Promise<void>>): Promise<Omit<DashboardWorld, 'app' | 'stop'>> {
  const baseUrl = new URL(app.config.PUBLIC_URL).origin;
  const [awPort, shopPort, forumPort, globexPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const loopback = (port: number) => `http://127.0.0.1:${port}`;
  const sites = { awUrl: loopback(awPort), shopRpUrl: loopback(shopPort), forumRpUrl: loopback(forumPort), globexRpUrl: loopback(globexPort) };

  const acme = await createTestCustomer(app, 'acme', {
    name: 'Acme Corporation',
    verifyUrl: `${sites.awUrl}/verify`,
    trustedRealms: [`${sites.shopRpUrl}/`, `${sites.forumRpUrl}/`],
    promptPolicy: PromptPolicy.PROMPT,
  });
  // globex's AW is played by the test (the sample AW knows only alice and bob): its Verify URL is never fetched.
  const globex = await createTestCustomer(app, 'globex', { name: 'Globex', trustedRealms: [`${sites.globexRpUrl}/`], promptPolicy: PromptPolicy.PROMPT });
  const customers = {
    acme: { id: acme.customer.id, slug: 'acme', apiKey: acme.apiKey },
    globex: { id: globex.customer.id, slug: 'globex', apiKey: globex.apiKey },
  };
  const customerUrl = (slug: string) => `${baseUrl}/c/${slug}`;

  const aw = await listenOnLoopback(createSampleAw({ postbackUrl: `${customerUrl('acme')}/ows_auth`, returnUrl: `${customerUrl('acme')}/ows_return`, apiKey: acme.apiKey }), awPort);
  stops.push(aw.close);
  for (const [url, slug] of [[sites.shopRpUrl, 'acme'], [sites.forumRpUrl, 'acme'], [sites.globexRpUrl, 'globex']] as const) {
    const rp = await listenOnLoopback(createSampleRp({ opIdentifier: `${customerUrl(slug)}/`, baseUrl: url }), Number(new URL(url).port));
    stops.push(rp.close);
  }
  const okReceiver = await startReceiver(() => 200);
  stops.push(okReceiver.stop);
  const failingReceiver = await startReceiver(() => 500);
  stops.push(failingReceiver.stop);

  const tokens = await makeTokens(app, customers.acme.id);
  const endpoints = {
    ok: await createEndpoint(baseUrl, tokens.admin, customers.acme.id, okReceiver.url, ['login.succeeded', 'login.cancelled', 'consent.granted', 'profile.created', 'export.ready'], 'Audit mirror'),
    failing: await createEndpoint(baseUrl, tokens.admin, customers.acme.id, failingReceiver.url, ['login.succeeded'], 'Broken CRM'),
  };
  const oauthClient = await call<{ createOAuthClient: { client: { id: string } } }>(baseUrl, tokens.platformOwner, 'mutation($c: ID!) { createOAuthClient(input: { customerId: $c, name: "Acme reporting", scopes: ["requests:read", "profiles:read", "profile.email"] }) { client { id } } }', { c: customers.acme.id });

  const acmeShop: Sites = { rpUrl: sites.shopRpUrl, awUrl: sites.awUrl, customerUrl: customerUrl('acme'), apiKey: acme.apiKey };
  const acmeForum: Sites = { ...acmeShop, rpUrl: sites.forumRpUrl };
  const globexSites: Sites = { rpUrl: sites.globexRpUrl, awUrl: null, customerUrl: customerUrl('globex'), apiKey: globex.apiKey };
  // First visits, side by side: the remembered decisions, a denial, a cancel, and globex's user.
  await Promise.all([
    expectSignedIn(signInAtRp(acmeShop, { ...USERS.alice, isRemembering: true }), true),
    expectSignedIn(signInAtRp(acmeShop, { ...USERS.bob, isRemembering: true }), true),
    expectCancelled(signInAtRp(acmeForum, { ...USERS.bob, decision: 'deny' })),
    expectCancelled(signInAtRp(acmeShop, { isCancelling: true })),
    expectSignedIn(signInAtRp(globexSites, { ...USERS.globex, isRemembering: true }), true),
  ]);
  // Second visits: the remembered decisions apply (no consent page); alice allows the forum once.
  await Promise.all([
    expectSignedIn(signInAtRp(acmeShop, USERS.alice), false),
    expectSignedIn(signInAtRp(acmeShop, USERS.bob), false),
    expectSignedIn(signInAtRp(acmeForum, USERS.alice), true),
  ]);
  await expireAtAw(acmeShop, customers.acme.id);

  const signIns = await findSignInIds(baseUrl, tokens.admin, tokens.platformOwner, customers, `${sites.shopRpUrl}/`);
  const requested = await call<{ requestProfileExport: { profileExport: { id: string } } }>(baseUrl, tokens.admin, 'mutation($p: ID!) { requestProfileExport(profileId: $p) { profileExport { id } } }', { p: signIns.aliceProfile });
  const profileExport = requested.requestProfileExport.profileExport.id;
  await settle(baseUrl, tokens.admin, profileExport, endpoints);
  const [deliveredWebhook, failedWebhook] = await Promise.all([deliveryId(baseUrl, tokens.admin, endpoints.ok, 'SUCCEEDED'), deliveryId(baseUrl, tokens.admin, endpoints.failing, 'FAILED')]);
  const ids: WorldIds = {
    ...signIns,
    webhookEndpoint: endpoints.ok,
    failingWebhookEndpoint: endpoints.failing,
    deliveredWebhook: deliveredWebhook!,
    failedWebhook: failedWebhook!,
    oauthClient: oauthClient.createOAuthClient.client.id,
    profileExport,
  };
  return { baseUrl, customers, tokens, users: USERS, sites, receivers: { ok: okReceiver, failing: failingReceiver }, ids };
}

async function makeTokens(app: App, acmeId: string): Promise<DashboardTokens> {
  const [platformOwner, owner, admin, support, auditor, viewer] = await Promise.all([
    operatorToken(app, 'OWNER', null),
    ...['OWNER', 'ADMIN', 'SUPPORT', 'AUDITOR', 'VIEWER'].map((role) => operatorToken(app, role, acmeId)),
  ]);
  return { platformOwner: platformOwner!, owner: owner!, admin: admin!, support: support!, auditor: auditor!, viewer: viewer! };
}

async function createEndpoint(baseUrl: string, token: string, customerId: string, url: string, events: string[], description: string): Promise<string> {
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
async function expireAtAw(sites: Sites, customerId: string): Promise<void> {
  const browser = new Browser();
  const verify = await toVerifyUrl(browser, sites);
  const moved = await ownerSql(`update auth_request set expires_at = now() - interval '1 second' where customer_id = ? and status = 'AWAITING_AW' returning id`, [customerId]);
  if (moved.length !== 1) throw new Error(`expected the one sign-in waiting at the AW, found ${moved.length}`);
  const answer = await submitAwForm(browser, verify, USERS.alice);
  if (answer.status !== 502 || !answer.body.includes('it answered HTTP 4') || !answer.body.includes('request_expired')) {
    throw new Error(`expected the AW to show the refused PostBack of an expired sign-in, got ${answer.status}: ${answer.body.slice(-800)}`);
  }
}

/** Waits for the background work the pages show: the export built, the deliveries final, every audit event stored and dispatched. */
async function settle(baseUrl: string, token: string, profileExport: string, endpoints: { ok: string; failing: string }): Promise<void> {
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

async function expectSignedIn(result: ReturnType<typeof signInAtRp>, isConsentExpected: boolean): Promise<void> {
  const { isConsentShown, rpPage } = await result;
  if (!rpPage.includes('Signed in as')) throw new Error(`the RP did not sign the person in: ${rpPage.slice(0, 500)}`);
  if (isConsentShown !== isConsentExpected) throw new Error(`the consent page was ${isConsentShown ? '' : 'not '}shown`);
}

async function expectCancelled(result: ReturnType<typeof signInAtRp>): Promise<void> {
  const { rpPage } = await result;
  if (!rpPage.includes('The login was cancelled')) throw new Error(`the RP did not show a cancelled sign-in: ${rpPage.slice(0, 500)}`);
}
