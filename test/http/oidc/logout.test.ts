import { Queue } from 'bullmq';
import { createLocalJWKSet, decodeProtectedHeader, generateKeyPair, JSONWebKeySet, jwtVerify, SignJWT } from 'jose';
import * as client from 'openid-client';
import { App } from '../../../src/app';
import { QUEUES } from '../../../src/jobs/queues';
import { BackchannelDeliveryError, BackchannelLogout } from '../../../src/oidc-provider/backchannel-logout';
import { OutboundGuard } from '../../../src/shared/net/outbound-guard';
import { systemClock } from '../../../src/shared/clock';
import { SteppedClock } from '../../support/clock';
import { createTestCustomer, inContext, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { Browser } from '../../support/flow';
import { testQueuePrefix } from '../../support/env';
import { authorizationUrl, discoverRp, registerRp, signIn } from '../../support/oidc-flow';
import { startReceiver } from '../../support/webhook-receiver';
import { waitUntil } from '../../support/wait';

/** A username no other value in the test contains, so finding it anywhere means it leaked. */
const USERNAME = 'alice.logout-subject';
const ALICE = { username: USERNAME, sreg_email: 'alice@example.org' };
const BYE = 'https://rp.example.org/signed-out';
const PREFIX = `${testQueuePrefix()}-oidc-logout`;

type Rp = { clientId: string; clientSecret: string | null; id: string; config: client.Configuration };

/**
 * RP-Initiated Logout 1.0 and Back-Channel Logout 1.0, with openid-client as the relying party, a
 * real sign-in through the AW, and real receivers on loopback for the logout tokens (a worker runs in
 * the same process).
 */
describe('OpenID Connect logout', () => {
  let app: App;
  let apiKey: string;
  let customerId: string;
  const clock = new SteppedClock();
  const stops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    app = await startPublicTestApp({
      ROLE: 'all',
      QUEUE_PREFIX: PREFIX,
      // The receivers listen on 127.0.0.1.
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
      WEBHOOK_TIMEOUT_MS: '1000',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      // Short-lived ID tokens, so a test can hold an expired one while its access token still works.
      OIDC_ID_TOKEN_TTL_SECONDS: '60',
      ACCESS_TOKEN_TTL_SECONDS: '3600',
    }, { clock });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    clock.reset();
    await resetDatabase();
    await queue().obliterate({ force: true });
    ({ apiKey, customer: { id: customerId } } = await createTestCustomer(app, 'acme', { verifyUrl: 'https://aw.example.com/login' }));
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  let logoutQueue: Queue | null = null;
  function queue(): Queue {
    logoutQueue ??= new Queue(QUEUES.backchannelLogout, { connection: app.redis, prefix: `{${PREFIX}}` });
    return logoutQueue;
  }
  afterAll(() => logoutQueue?.close());

  async function receiver(...args: Parameters<typeof startReceiver>) {
    const r = await startReceiver(...args);
    stops.push(r.stop);
    return r;
  }

  async function rp(settings: Parameters<typeof registerRp>[2] = {}, slug = 'acme', owner = customerId): Promise<Rp> {
    const registered = await registerRp(app, owner, { postLogoutRedirectUris: [BYE], ...settings });
    return { ...registered, config: await discoverRp(app, slug, registered) };
  }

  async function signInTo(party: Rp, slug = 'acme', key = apiKey) {
    const { url, checks } = await authorizationUrl(party.config, 'openid email offline_access', { prompt: 'consent' });
    const { location } = await signIn(app, slug, key, url, ALICE, { share: ['email'] });
    return client.authorizationCodeGrant(party.config, location, checks);
  }

  async function isActive(party: Rp, token: string): Promise<boolean> {
    return (await client.tokenIntrospection(party.config, token)).active;
  }

  /** The RP's logout request in the person's browser; when the provider asks for confirmation, the person confirms. */
  async function logout(party: Rp, params: Record<string, string>) {
    const browser = new Browser();
    const first = await browser.get(client.buildEndSessionUrl(party.config, params).toString());
    return isConfirmation(first.body) ? confirm(browser, first.body, app.config.PUBLIC_URL) : first;
  }

  async function jwks(): Promise<JSONWebKeySet> {
    return (await (await fetch(`${app.config.PUBLIC_URL}/c/acme/oidc/jwks`)).json()) as JSONWebKeySet;
  }

  async function auditedLogouts(): Promise<Array<{ details: { clients: string[]; clientsNotified: string[]; accessTokens: number; refreshTokens: number } }>> {
    return ownerSql(`select details from audit_outbox where customer_id = ? and action = 'logout.completed'`, [customerId]);
  }

  it('revokes the person’s tokens, tells each client with a back-channel URI by a logout token, and returns to the registered address with state', async () => {
    const hook = await receiver();
    const silent = await receiver();
    const shop = await rp({ backchannelLogoutUri: hook.url });
    const blog = await rp({ name: 'Blog' });
    // Registered for back-channel logout, but the person never signed in to it: it is not told.
    const other = await rp({ name: 'Other', backchannelLogoutUri: silent.url });
    const tokens = await signInTo(shop);
    const blogTokens = await signInTo(blog);

    const answer = await logout(shop, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: BYE, state: 'st-42' });
    expect(answer.status).toBe(303);
    expect(answer.location).toBe(`${BYE}?state=st-42`);

    // Every OpenID Connect grant of the person ended, at every client.
    expect(await isActive(shop, tokens.access_token)).toBe(false);
    expect(await isActive(blog, blogTokens.access_token)).toBe(false);
    await expect(client.refreshTokenGrant(shop.config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(client.refreshTokenGrant(blog.config, blogTokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });

    await waitUntil('the back-channel logout to reach the client', () => hook.received.length === 1);
    const delivery = hook.received[0]!;
    expect(delivery.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const logoutToken = new URLSearchParams(delivery.body).get('logout_token')!;
    const issuer = `${app.config.PUBLIC_URL}/c/acme`;
    const { payload, protectedHeader } = await jwtVerify(logoutToken, createLocalJWKSet(await jwks()), { issuer, audience: shop.clientId, typ: 'logout+jwt', algorithms: ['ES256'] });
    expect(protectedHeader.typ).toBe('logout+jwt');
    expect(payload).toMatchObject({ sub: USERNAME, events: { 'http://schemas.openid.net/event/backchannel-logout': {} } });
    expect(typeof payload.jti).toBe('string');
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(120);
    expect(payload.nonce).toBeUndefined();

    const [audited] = await auditedLogouts();
    expect(audited!.details).toEqual({ accessTokens: 2, refreshTokens: 2, clients: [blog.clientId, shop.clientId].sort(), clientsNotified: [shop.clientId] });
    expect(silent.received).toEqual([]);
    expect(other.clientId).not.toBe(shop.clientId);

    // The job that carried it holds no username in clear: the subject is sealed.
    const stored = await app.redis.hgetall(`{${PREFIX}}:${QUEUES.backchannelLogout}:logout-${payload.jti}`);
    expect(JSON.parse(stored.data!)).toMatchObject({ clientId: shop.clientId, jti: payload.jti, subject: expect.stringMatching(/^ef1\./) });
    const keys = await app.redis.keys(`{${PREFIX}}:${QUEUES.backchannelLogout}:*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(await redisText(app.redis, key)).not.toContain(USERNAME);

    // A logout token is no ID token: presented as a hint it is refused (Back-Channel Logout 1.0 §2.4).
    const again = await signInTo(shop);
    const confused = await logout(shop, { id_token_hint: logoutToken });
    expect(confused.status).toBe(400);
    expect(confused.body).toContain('was not issued by this provider');
    expect(await isActive(shop, again.access_token)).toBe(true);
  });

  it('asks the person before it signs them out: loading the page, or a form posted from elsewhere, changes nothing', async () => {
    const shop = await rp();
    const tokens = await signInTo(shop);
    const browser = new Browser();
    const asked = await browser.get(client.buildEndSessionUrl(shop.config, { id_token_hint: tokens.id_token! }).toString());
    expect(asked.status).toBe(200);
    expect(asked.body).toContain('Sign out?');
    expect(asked.headers.getSetCookie().join()).toMatch(/ids_logout=[^;]+;.*HttpOnly.*SameSite=Strict/i);
    expect(await isActive(shop, tokens.access_token)).toBe(true);
    // Another site's auto-submitted form: the same fields, but not the person's cookie (SameSite=Strict keeps it home).
    const fields = hiddenFields(asked.body);
    const forged = await new Browser().postForm(`${app.config.PUBLIC_URL}/c/acme/oidc/logout`, [...fields, ['confirm', 'yes']]);
    expect(isConfirmation(forged.body)).toBe(true);
    // The person's cookie with a token made for another hint, or none.
    const wrong = await browser.postForm(`${app.config.PUBLIC_URL}/c/acme/oidc/logout`, [...fields.filter(([k]) => k !== 'csrf'), ['csrf', 'x'], ['confirm', 'yes']]);
    expect(isConfirmation(wrong.body)).toBe(true);
    expect(await isActive(shop, tokens.access_token)).toBe(true);
    expect((await confirm(browser, asked.body, app.config.PUBLIC_URL)).body).toContain('You are signed out of Example RP');
    expect(await isActive(shop, tokens.access_token)).toBe(false);
  });

  it('accepts an expired ID token as the hint, by POST, and shows the person they are signed out', async () => {
    const shop = await rp();
    const tokens = await signInTo(shop);
    clock.advance(120_000);
    expect(await isActive(shop, tokens.access_token)).toBe(true);
    const browser = new Browser();
    const asked = await browser.postForm(`${app.config.PUBLIC_URL}/c/acme/oidc/logout`, [['id_token_hint', tokens.id_token!]]);
    const page = await confirm(browser, asked.body, app.config.PUBLIC_URL);
    expect(page.status).toBe(200);
    expect(page.location).toBeNull();
    expect(page.body).toContain('You are signed out of Example RP');
    expect(page.body).toContain('its own session is the website');
    expect(await isActive(shop, tokens.access_token)).toBe(false);
    expect(await queue().getJobCounts()).toMatchObject({ waiting: 0, delayed: 0, active: 0, completed: 0 });
  });

  it('refuses an unregistered post-logout address on a page, and revokes nothing', async () => {
    const hook = await receiver();
    const shop = await rp({ backchannelLogoutUri: hook.url });
    const tokens = await signInTo(shop);
    for (const uri of ['https://attacker.example/bye', `${BYE}/`, `${BYE}?next=https://attacker.example`]) {
      const page = await logout(shop, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: uri, state: 's' });
      expect(page.status).toBe(400);
      expect(page.location).toBeNull();
      expect(page.body).toContain('has not registered');
    }
    expect(await isActive(shop, tokens.access_token)).toBe(true);
    expect(await auditedLogouts()).toEqual([]);
    expect(await queue().getJobCounts()).toMatchObject({ waiting: 0, delayed: 0, active: 0, completed: 0, failed: 0 });
  });

  it('refuses a forged hint, another customer’s hint and a hint for another client, revoking nothing', async () => {
    const shop = await rp();
    const blog = await rp({ name: 'Blog' });
    const tokens = await signInTo(shop);

    // Signed by a key of the forger's, under the kid of the customer's real key.
    const { kid } = decodeProtectedHeader(tokens.id_token!);
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ sub: USERNAME, aud: shop.clientId })
      .setProtectedHeader({ alg: 'ES256', kid: kid!, typ: 'JWT' })
      .setIssuer(`${app.config.PUBLIC_URL}/c/acme`)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    expect(kid).toBeDefined();
    expect((await jwks()).keys.some((key) => key.kid === kid)).toBe(true);

    // The same person at another customer, signed in there: that ID token is no proof here.
    const { apiKey: globexKey, customer: globexCustomer } = await createTestCustomer(app, 'globex', { verifyUrl: 'https://aw.example.com/login' });
    const globexRp = await rp({}, 'globex', globexCustomer.id);
    const globexTokens = await signInTo(globexRp, 'globex', globexKey);

    for (const [params, message] of [
      [{ id_token_hint: forged }, 'was not issued by this provider'],
      [{ id_token_hint: globexTokens.id_token! }, 'was not issued by this provider'],
      [{ id_token_hint: `${tokens.id_token!.slice(0, -4)}AAAA` }, 'was not issued by this provider'],
      [{ id_token_hint: tokens.id_token!, client_id: blog.clientId }, 'named another site'],
      [{ id_token_hint: tokens.id_token!, client_id: 'nobody' }, 'not registered with this provider'],
    ] as const) {
      const url = new URL(`${app.config.PUBLIC_URL}/c/acme/oidc/logout`);
      for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
      url.searchParams.set('post_logout_redirect_uri', BYE);
      const page = await new Browser().get(url.toString());
      expect(page.status).toBe(400);
      expect(page.location).toBeNull();
      expect(page.body).toContain(message);
    }
    expect(await isActive(shop, tokens.access_token)).toBe(true);
    expect(await isActive(globexRp, globexTokens.access_token)).toBe(true);
    expect(await auditedLogouts()).toEqual([]);
  });

  it('changes nothing without a hint, and never redirects on one', async () => {
    const shop = await rp();
    const tokens = await signInTo(shop);
    const page = await logout(shop, { post_logout_redirect_uri: BYE, state: 's' });
    expect(page.status).toBe(200);
    expect(page.location).toBeNull();
    expect(page.body).toContain('did not say who to sign out');
    // An address the client never registered is refused all the same.
    expect((await logout(shop, { post_logout_redirect_uri: 'https://attacker.example/' })).status).toBe(400);
    const anonymous = await new Browser().get(`${app.config.PUBLIC_URL}/c/acme/oidc/logout?post_logout_redirect_uri=${encodeURIComponent(BYE)}`);
    expect(anonymous.status).toBe(400);
    expect(anonymous.body).toContain('did not say who it is');
    expect(await isActive(shop, tokens.access_token)).toBe(true);
    expect((await new Browser().get(`${app.config.PUBLIC_URL}/c/nobody/oidc/logout`)).status).toBe(404);
  });

  it('retries a back-channel logout the client did not take, with the same jti and a fresh token', async () => {
    const hook = await receiver((n) => (n === 0 ? 500 : 200));
    const shop = await rp({ backchannelLogoutUri: hook.url });
    const tokens = await signInTo(shop);
    expect((await logout(shop, { id_token_hint: tokens.id_token! })).status).toBe(200);
    await waitUntil('the retried back-channel logout', () => hook.received.length === 2, { timeoutMs: 15_000 });
    const keys = createLocalJWKSet(await jwks());
    const [first, second] = await Promise.all(
      hook.received.map(async (r) => (await jwtVerify(new URLSearchParams(r.body).get('logout_token')!, keys, { audience: shop.clientId, typ: 'logout+jwt' })).payload),
    );
    expect(second!.jti).toBe(first!.jti);
    expect(second!.sub).toBe(USERNAME);
  });

  it('sends a back-channel logout only to an address the outbound guard allows', async () => {
    const hook = await receiver();
    const shop = await rp({ backchannelLogoutUri: hook.url });
    const person = await inContext(app, () => app.services.keys.person(customerId, USERNAME, app.services.audit.subjectHash(customerId, USERNAME)));
    const guarded = new BackchannelLogout({
      keys: app.services.keys,
      clients: app.services.oidcClientLookup,
      signer: app.services.oidcKeys,
      clock: systemClock,
      outbound: new OutboundGuard({ allowPrivate: false }),
      timeoutMs: 1000,
    });
    const notice = BackchannelLogout.notice({ customerId, issuer: `${app.config.PUBLIC_URL}/c/acme`, clientId: shop.clientId, person, subject: USERNAME });
    await expect(guarded.deliver(notice)).rejects.toEqual(new BackchannelDeliveryError('address_refused'));
    expect(hook.connections()).toBe(0);
  });
});

/** Everything Redis holds under `key`, as text. */
function isConfirmation(html: string): boolean {
  return html.includes('name="confirm" value="yes"');
}

/** The confirmation form's hidden fields, as the browser would post them. */
function hiddenFields(html: string): Array<[string, string]> {
  const unescape = (v: string) => v.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return [...html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((m): [string, string] => [unescape(m[1]!), unescape(m[2]!)]);
}

/** The person presses "Sign out" on the confirmation page. */
function confirm(browser: Browser, html: string, base: string) {
  const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!;
  return browser.postForm(new URL(action, base).toString(), [...hiddenFields(html), ['confirm', 'yes']]);
}

async function redisText(redis: App['redis'], key: string): Promise<string> {
  switch (await redis.type(key)) {
    case 'hash':
      return JSON.stringify(await redis.hgetall(key));
    case 'string':
      return (await redis.get(key)) ?? '';
    case 'list':
      return JSON.stringify(await redis.lrange(key, 0, -1));
    case 'set':
      return JSON.stringify(await redis.smembers(key));
    case 'zset':
      return JSON.stringify(await redis.zrange(key, 0, -1));
    case 'stream':
      return JSON.stringify(await redis.xrange(key, '-', '+'));
    default:
      return '';
  }
}
