import { randomUUID } from 'node:crypto';
import { App } from '../../src/app';
import { PromptPolicy } from '../../src/customers';
import { createSampleAw } from '../../demo/sample-aw';
import { createSampleRp } from '../../demo/sample-rp';
import { listenOnLoopback } from '../../demo/listen';
import { createTestCustomer, resetDatabase, startPublicTestApp } from './app';
import { call, deliveryId, findSignInIds, WorldIds } from './dashboard-ids';
import { Person, signInAtRp, SignInResult, Sites } from './dashboard-people';
import { createEndpoint, DashboardTokens, expectCancelled, expectSignedIn, expireAtAw, makeTokens, settle } from './dashboard-steps';
import { testQueuePrefix } from './env';
import { freePort } from './redis-server';
import { startReceiver } from './webhook-receiver';

export type { DashboardTokens } from './dashboard-steps';
export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** The sample AW's users (demo/demo-users.ts) who sign in at acme, and globex's own user. */
export const USERS = {
  alice: { username: 'alice', password: 'wonderland' },
  bob: { username: 'bob', password: 'builder' },
  /** acme's user whom the sample AW does not list (the test plays the AW): expendable, for deletion and restriction. */
  carol: { username: 'carol' },
  /** Signs in at globex only: the name no acme page may ever show. */
  globex: { username: 'globex-only-user' },
} as const;

export interface DashboardCustomer {
  id: string;
  slug: string;
  /** The key the sites post back with (rotating it in a test leaves the old one working for the grace period). */
  apiKey: string;
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
  /**
   * One more sign-in through the sample sites, e.g. while a page shows the live list: at acme's
   * `shop` or `forum` RP (through the sample AW for alice and bob, the test playing it for others),
   * or at `globex`. Answers whether consent was asked and what the RP showed; fails on any other turn.
   */
  signIn(site: 'shop' | 'forum' | 'globex', person: Person): Promise<SignInResult>;
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
 * - carol (whose AW the test plays) allowed the shop RP once, without remembering;
 * - one sign-in cancelled at the AW's form, and one left at the AW until it expired (its late
 *   PostBack refused with REQUEST_EXPIRED);
 * - an OAuth client; two webhook endpoints, one answering 200 (deliveries SUCCEEDED) and one 500
 *   (its login.succeeded deliveries FAILED after the short retry schedule);
 * - an export of alice's profile, READY;
 * and globex holds one sign-in, of globex-only-user, which allowed its RP and remembered it.
 * Every audit event is drained before this resolves. It empties the database first (one world per
 * test file, in beforeAll) and takes 10-25 s on a busy machine: give beforeAll 120 s.
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
  const [ok, failing, oauthClient] = await Promise.all([
    createEndpoint(baseUrl, tokens.admin, customers.acme.id, okReceiver.url, ['login.succeeded', 'login.cancelled', 'consent.granted', 'profile.created', 'export.ready'], 'Audit mirror'),
    createEndpoint(baseUrl, tokens.admin, customers.acme.id, failingReceiver.url, ['login.succeeded'], 'Broken CRM'),
    call<{ createOAuthClient: { client: { id: string } } }>(baseUrl, tokens.platformOwner, 'mutation($c: ID!) { createOAuthClient(input: { customerId: $c, name: "Acme reporting", scopes: ["requests:read", "profiles:read", "profile.email"] }) { client { id } } }', { c: customers.acme.id }),
  ]);
  const endpoints = { ok, failing };

  const acmeShop: Sites = { rpUrl: sites.shopRpUrl, awUrl: sites.awUrl, customerUrl: customerUrl('acme'), apiKey: acme.apiKey };
  const acmeForum: Sites = { ...acmeShop, rpUrl: sites.forumRpUrl };
  const globexSites: Sites = { rpUrl: sites.globexRpUrl, awUrl: null, customerUrl: customerUrl('globex'), apiKey: globex.apiKey };
  const sampleUsers: readonly string[] = [USERS.alice.username, USERS.bob.username];
  // The sample AW for its own users; the test plays acme's AW for anyone else (carol), and globex's always.
  const signIn = (site: 'shop' | 'forum' | 'globex', person: Person) => {
    const at = site === 'globex' ? globexSites : site === 'forum' ? acmeForum : acmeShop;
    const isAtSampleAw = at.awUrl !== null && (person.isCancelling === true || sampleUsers.includes(person.username ?? ''));
    return signInAtRp(isAtSampleAw ? at : { ...at, awUrl: null }, person);
  };
  // First visits, side by side: the remembered decisions, a denial, a cancel, globex's user, and one left to expire.
  await Promise.all([
    expireAtAw(acmeShop, customers.acme.id),
    expectSignedIn(signIn('shop', { ...USERS.alice, isRemembering: true }), true),
    expectSignedIn(signIn('shop', { ...USERS.bob, isRemembering: true }), true),
    expectCancelled(signIn('forum', { ...USERS.bob, decision: 'deny' })),
    expectCancelled(signIn('shop', { isCancelling: true })),
    expectSignedIn(signIn('shop', USERS.carol), true),
    expectSignedIn(signIn('globex', { ...USERS.globex, isRemembering: true }), true),
  ]);
  // Second visits: the remembered decisions apply (no consent page); alice allows the forum once.
  await Promise.all([
    expectSignedIn(signIn('shop', USERS.alice), false),
    expectSignedIn(signIn('shop', USERS.bob), false),
    expectSignedIn(signIn('forum', USERS.alice), true),
  ]);

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
  return { baseUrl, customers, tokens, users: USERS, sites, receivers: { ok: okReceiver, failing: failingReceiver }, ids, signIn };
}
