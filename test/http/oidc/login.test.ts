import * as client from 'openid-client';
import { App } from '../../../src/app';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { Browser } from '../../support/flow';
import { graphql } from '../../support/graphql';
import { authorizationUrl, discoverRp, REDIRECT_URI, registerRp, signIn } from '../../support/oidc-flow';

const ALICE = { username: 'alice', sreg_email: 'alice@example.org', sreg_fullname: 'Alice Liddell', sreg_nickname: 'al' };

/**
 * OpenID Connect on the delegated login, driven by the npm `openid-client` package as the relying
 * party: discovery, PKCE, the AW's Verify URL and postback, our consent page, the code exchange with
 * ID token validation, userinfo and refresh.
 */
describe('an OpenID Connect relying party signs a person in through the AW', () => {
  let app: App;
  let apiKey: string;
  let customerId: string;
  let rp: { clientId: string; clientSecret: string | null; id: string };
  let config: client.Configuration;

  beforeAll(async () => {
    app = await startPublicTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    await resetDatabase();
    ({ apiKey, customer: { id: customerId } } = await createTestCustomer(app, 'acme', { verifyUrl: 'https://aw.example.com/login?lang=en' }));
    rp = await registerRp(app, customerId, { logoUri: 'https://rp.example.org/logo.png' });
    config = await discoverRp(app, 'acme', rp);
  });

  it('publishes its issuer, endpoints and keys under the customer', async () => {
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(`${app.config.PUBLIC_URL}/c/acme`);
    expect(meta).toMatchObject({
      authorization_endpoint: `${app.config.PUBLIC_URL}/c/acme/oidc/authorize`,
      token_endpoint: `${app.config.PUBLIC_URL}/c/acme/oidc/token`,
      code_challenge_methods_supported: ['S256'],
      response_types_supported: ['code'],
      request_uri_parameter_supported: false,
    });
    const jwks = (await (await fetch(meta.jwks_uri!)).json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys.every((key) => key.d === undefined)).toBe(true);
    expect((await fetch(`${app.url}/c/nobody/.well-known/openid-configuration`)).status).toBe(404);
  });

  it('hands the person to the AW, names the client on the consent page, and releases only what they shared', async () => {
    const { url, checks } = await authorizationUrl(config, 'openid email profile offline_access', { login_hint: 'alice', ui_locales: 'fr en', prompt: 'consent' });
    const loggedInAt = new Date(Date.now() - 5000);
    loggedInAt.setMilliseconds(0);
    const { location, verify, consentPage } = await signIn(app, 'acme', apiKey, url, { ...ALICE, auth_time: loggedInAt.toISOString().replace('.000', '') }, { share: ['email'] });

    // The AW is asked as for an OpenID 2.0 request: the site's realm, the scopes' attributes, and the hints.
    expect(`${verify.origin}${verify.pathname}`).toBe('https://aw.example.com/login');
    expect(verify.searchParams.get('lang')).toBe('en');
    expect(verify.searchParams.get('realm')).toBe('https://rp.example.org/');
    expect(verify.searchParams.get('requested_attributes')).toBe('sreg_fullname,sreg_nickname,sreg_dob,sreg_gender,sreg_language,sreg_timezone,sreg_email');
    expect(verify.searchParams.get('username_hint')).toBe('alice');
    expect(verify.searchParams.get('client_name')).toBe('Example RP');
    expect(verify.searchParams.get('ui_locales')).toBe('fr en');
    expect(consentPage).toContain('Share your details with Example RP?');
    expect(consentPage).toContain('src="https://rp.example.org/logo.png"');
    expect(consentPage).toContain('keep access while you are away');

    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get('iss')).toBe(`${app.config.PUBLIC_URL}/c/acme`);
    const tokens = await client.authorizationCodeGrant(config, location, checks);
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ iss: `${app.config.PUBLIC_URL}/c/acme`, sub: 'alice', aud: rp.clientId, nonce: checks.expectedNonce });
    expect(claims.auth_time).toBe(loggedInAt.getTime() / 1000);
    expect(typeof claims.at_hash).toBe('string');
    expect(claims.email).toBeUndefined();

    // userinfo: the one field the person shared, nothing of what they unticked.
    const info = await client.fetchUserInfo(config, tokens.access_token, 'alice');
    expect(info).toEqual({ sub: 'alice', email: 'alice@example.org', email_verified: false });

    // Refresh: a new access token with the same reach; the old refresh token is spent.
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.claims()?.sub).toBe('alice');
    expect(await client.fetchUserInfo(config, refreshed.access_token, 'alice')).toEqual(info);
  });

  it('is inspected like any sign-in: the request names its protocol and client, the audit trail its outcome', async () => {
    const { url, checks } = await authorizationUrl(config, 'openid email');
    const { location } = await signIn(app, 'acme', apiKey, url, ALICE);
    await client.authorizationCodeGrant(config, location, checks);
    const res = await graphql<{ authRequests: { nodes: Array<{ protocol: string; clientId: string; mode: string; outcome: string; status: string; releasedFields: string[] }> } }>(
      app.url!,
      `{ authRequests(filter: { protocol: OIDC }) { nodes { protocol clientId mode outcome status releasedFields } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.authRequests.nodes).toEqual([{ protocol: 'OIDC', clientId: rp.clientId, mode: 'oidc', outcome: 'id_res', status: 'COMPLETED', releasedFields: ['email'] }]);
    const none = await graphql<{ authRequests: { nodes: unknown[] } }>(app.url!, `{ authRequests(filter: { protocol: OPENID2 }) { nodes { id } } }`);
    expect(none.data!.authRequests.nodes).toEqual([]);
    const [{ n }]: Array<{ n: string }> = await ownerSql(`select count(*) as n from audit_outbox where customer_id = ? and action = 'login.succeeded'`, [customerId]);
    expect(Number(n)).toBe(1);
  });

  it('answers access_denied when the person declines, and shows the consent page again on prompt=consent', async () => {
    const first = await authorizationUrl(config, 'openid email');
    const declined = await signIn(app, 'acme', apiKey, first.url, ALICE, { decision: 'deny' });
    expect(declined.location.searchParams.get('error')).toBe('access_denied');
    expect(declined.location.searchParams.get('state')).toBe(first.checks.expectedState);
    expect(declined.location.searchParams.has('code')).toBe(false);

    // Allowed and remembered: the next sign-in skips the page; prompt=consent brings it back.
    const browser = new Browser();
    const second = await authorizationUrl(config, 'openid email');
    const hop = await browser.get(second.url.toString());
    const requestId = new URL(hop.location!).searchParams.get('request_id')!;
    await fetch(`${app.url}/c/acme/ows_auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ request_id: requestId, api_key: apiKey, no_prompt: 'false', ...ALICE }).toString(),
    });
    const page = await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`);
    const form = /name="auth_request" value="([^"]*)"[\s\S]*name="csrf" value="([^"]*)"/.exec(page.body)!;
    await browser.postForm(`${app.url}/c/acme/ows_consent`, [['auth_request', form[1]!], ['csrf', form[2]!], ['share', 'email'], ['remember', 'true'], ['decision', 'allow']]);
    const remembered = await signIn(app, 'acme', apiKey, (await authorizationUrl(config, 'openid email')).url, ALICE);
    expect(remembered.consentShown).toBe(false);
    const forced = await signIn(app, 'acme', apiKey, (await authorizationUrl(config, 'openid email', { prompt: 'consent' })).url, ALICE);
    expect(forced.consentShown).toBe(true);
  });

  it('holds the AW to max_age and prompt=login: a login it does not date, or dates too early, gets login_required', async () => {
    const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const forced = await authorizationUrl(config, 'openid email', { prompt: 'login' });
    const undated = await signIn(app, 'acme', apiKey, forced.url, ALICE);
    expect(new URL(forced.url).searchParams.get('prompt')).toBe('login');
    expect(undated.verify.searchParams.get('max_auth_age')).toBe('0');
    expect(Object.fromEntries(undated.location.searchParams)).toMatchObject({ error: 'login_required', state: forced.checks.expectedState });
    expect(undated.location.searchParams.has('code')).toBe(false);

    const bounded = await authorizationUrl(config, 'openid email', { max_age: '600' });
    const stale = await signIn(app, 'acme', apiKey, bounded.url, { ...ALICE, auth_time: iso(3600_000) });
    expect(stale.location.searchParams.get('error')).toBe('login_required');

    const fresh = await authorizationUrl(config, 'openid email', { max_age: '600' });
    const recent = await signIn(app, 'acme', apiKey, fresh.url, { ...ALICE, auth_time: iso(30_000) });
    const tokens = await client.authorizationCodeGrant(config, recent.location, { ...fresh.checks, maxAge: 600 });
    expect(typeof tokens.claims()!.auth_time).toBe('number');
  });

  it('answers prompt=none with login_required at once, storing nothing', async () => {
    const { url, checks } = await authorizationUrl(config, 'openid', { prompt: 'none' });
    const hop = await new Browser().get(url.toString());
    expect(hop.status).toBe(302);
    const back = new URL(hop.location!);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT_URI);
    expect(Object.fromEntries(back.searchParams)).toMatchObject({ error: 'login_required', state: checks.expectedState, iss: `${app.config.PUBLIC_URL}/c/acme` });
    const [{ n }]: Array<{ n: string }> = await ownerSql('select count(*) as n from auth_request');
    expect(Number(n)).toBe(0);
  });

  it('refuses an unregistered redirect URI or an unknown client on a page, and an unsupported response type at the redirect URI', async () => {
    const { url } = await authorizationUrl(config, 'openid');
    const elsewhere = new URL(url);
    elsewhere.searchParams.set('redirect_uri', 'https://attacker.example/cb');
    const page = await new Browser().get(elsewhere.toString());
    expect(page.status).toBe(400);
    expect(page.location).toBeNull();
    expect(page.body).toContain('has not registered');

    const unknown = new URL(url);
    unknown.searchParams.set('client_id', 'nobody');
    expect((await new Browser().get(unknown.toString())).status).toBe(400);

    const implicit = new URL(url);
    implicit.searchParams.set('response_type', 'id_token token');
    const answer = await new Browser().get(implicit.toString());
    expect(answer.status).toBe(302);
    expect(new URL(answer.location!).searchParams.get('error')).toBe('unsupported_response_type');
    const [{ n }]: Array<{ n: string }> = await ownerSql('select count(*) as n from auth_request');
    expect(Number(n)).toBe(0);
  });

  it('treats a replayed code as theft: refused, and the tokens issued from it stop working', async () => {
    const { url, checks } = await authorizationUrl(config, 'openid email');
    const { location } = await signIn(app, 'acme', apiKey, url, ALICE);
    const tokens = await client.authorizationCodeGrant(config, location, checks);
    await expect(client.authorizationCodeGrant(config, location, checks)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(client.fetchUserInfo(config, tokens.access_token, 'alice')).rejects.toBeDefined();
  });

  it('refuses a code redeemed without the PKCE verifier or with another one', async () => {
    const { url, checks } = await authorizationUrl(config, 'openid');
    const { location } = await signIn(app, 'acme', apiKey, url, ALICE);
    await expect(client.authorizationCodeGrant(config, location, { ...checks, pkceCodeVerifier: client.randomPKCECodeVerifier() })).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
