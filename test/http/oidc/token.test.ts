import { randomUUID } from 'node:crypto';
import { App } from '../../../src/app';
import { testQueuePrefix } from '../../support/env';
import { FixedClock } from '../../../src/shared/clock';
import { atHash } from '../../../src/oidc/id-token';
import { PAPE_POLICY_MULTI_FACTOR } from '../../../src/openid';
import { createTestCustomer, inContext, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { PLATFORM } from '../../../src/shared/tenant';
import { graphql } from '../../support/graphql';
import { seedProfile } from '../../support/oauth';
import { createOidcClient, insertOidcCode, TestOidcClient } from '../../support/oidc';
import { exchangeCode, introspectToken, issuerOf, refreshTokens, verifyIdToken } from '../../support/oidc-exchange';

describe('the OpenID Connect token endpoint: authorization codes', () => {
  let app: App;
  let customerId: string;
  let client: TestOidcClient;
  const clock = new FixedClock(new Date());

  beforeAll(async () => {
    // Counters of its own: the refusals this file provokes never add up to a lockout across runs.
    app = await startPublicTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', QUEUE_PREFIX: `${testQueuePrefix()}-oidc-${randomUUID()}` }, { clock });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    clock.set(new Date());
    await resetDatabase();
    ({ customer: { id: customerId } } = await createTestCustomer(app, 'acme'));
    await seedProfile(app, customerId, 'alice', { email: 'alice@example.com', fullname: 'Alice Liddell' });
    client = await createOidcClient(app, customerId);
  });

  it('exchanges a code for an access token, a verifiable ID token and a refresh token, never cached', async () => {
    const code = await insertOidcCode(app, customerId, client, 'alice', { policies: [PAPE_POLICY_MULTI_FACTOR], now: clock.now() });
    const res = await exchangeCode(app, 'acme', client, code);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: app.config.ACCESS_TOKEN_TTL_SECONDS, scope: 'openid email offline_access' });
    expect(res.body.refresh_token).toEqual(expect.any(String));
    const claims = await verifyIdToken(app, 'acme', res.body.id_token as string, client.clientId, clock.now());
    const [stored] = await ownerSql('select auth_time from oidc_code where id = ?', [code.id]);
    expect(claims).toMatchObject({
      iss: issuerOf(app, 'acme').issuer,
      sub: 'alice',
      aud: client.clientId,
      azp: client.clientId,
      nonce: 'n-0S6_WzA2Mj',
      at_hash: atHash(res.body.access_token as string, 'ES256'),
      auth_time: Math.floor(new Date(stored.auth_time).getTime() / 1000),
      acr: PAPE_POLICY_MULTI_FACTOR,
      amr: ['mfa'],
      exp: Math.floor(clock.now().getTime() / 1000) + app.config.OIDC_ID_TOKEN_TTL_SECONDS,
    });
    // The access token reads the released field at our API, limited to alice.
    expect(await introspectToken(app, 'acme', client, res.body.access_token as string)).toMatchObject({ active: true, sub: 'alice', scope: 'openid email offline_access profiles:read profile.email' });
    const own = await graphql<{ profiles: { nodes: Array<{ username: string; email: string }> } }>(app.url!, '{ profiles { nodes { username email } } }', {}, res.body.access_token as string);
    expect(own.data).toEqual({ profiles: { nodes: [{ username: 'alice', email: 'alice@example.com' }] } });
  });

  it('signs RS256 for a client registered so, acr 0 and no auth_time when the AW reported none (never an invented one)', async () => {
    const rsa = await createOidcClient(app, customerId, { alg: 'RS256' });
    const code = await insertOidcCode(app, customerId, rsa, 'alice', { authTime: null, policies: null, nonce: null, now: clock.now() });
    const res = await exchangeCode(app, 'acme', rsa, code);
    expect(res.status).toBe(200);
    const [header] = (res.body.id_token as string).split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toMatchObject({ alg: 'RS256', kid: expect.any(String) });
    const claims = await verifyIdToken(app, 'acme', res.body.id_token as string, rsa.clientId, clock.now());
    expect(claims).toMatchObject({ acr: '0' });
    expect(claims).not.toHaveProperty('auth_time');
    expect(claims).not.toHaveProperty('nonce');
    expect(claims).not.toHaveProperty('amr');
  });

  it('refuses a missing or wrong PKCE verifier with invalid_grant, and the code stays good for the right one', async () => {
    const code = await insertOidcCode(app, customerId, client, 'alice', { now: clock.now() });
    expect(await exchangeCode(app, 'acme', client, code, { code_verifier: undefined })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await exchangeCode(app, 'acme', client, code, { code_verifier: `${code.verifier.slice(0, -2)}xx` })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await exchangeCode(app, 'acme', client, code, { code_verifier: 'short' })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await ownerSql('select count(*)::int as n from oauth_access_token')).toEqual([{ n: 0 }]);
    expect((await exchangeCode(app, 'acme', client, code)).status).toBe(200);
  });

  it('refuses a redirect_uri that differs from the stored one in any way', async () => {
    const code = await insertOidcCode(app, customerId, client, 'alice', { now: clock.now() });
    expect(await exchangeCode(app, 'acme', client, code, { redirect_uri: `${client.redirectUri}/` })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await exchangeCode(app, 'acme', client, code, { redirect_uri: client.redirectUri.toUpperCase() })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await exchangeCode(app, 'acme', client, code, { redirect_uri: undefined })).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });

  it("refuses a code issued to another client, or another customer's", async () => {
    const other = await createOidcClient(app, customerId);
    const code = await insertOidcCode(app, customerId, client, 'alice', { now: clock.now() });
    expect(await exchangeCode(app, 'acme', other, code, { redirect_uri: client.redirectUri })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const { customer: globex } = await createTestCustomer(app, 'globex');
    const theirs = await createOidcClient(app, globex.id);
    // Another issuer does not even know this client.
    expect(await exchangeCode(app, 'globex', client, code)).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(await exchangeCode(app, 'globex', theirs, code)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect((await exchangeCode(app, 'acme', client, code)).status).toBe(200);
  });

  it('refuses an expired code', async () => {
    const code = await insertOidcCode(app, customerId, client, 'alice', { now: clock.now(), ttlSeconds: 60 });
    clock.advance(60_000);
    expect(await exchangeCode(app, 'acme', client, code)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('refuses a replayed code and revokes the access and refresh tokens issued from it, audited', async () => {
    const code = await insertOidcCode(app, customerId, client, 'alice', { now: clock.now() });
    const first = await exchangeCode(app, 'acme', client, code);
    expect(first.status).toBe(200);
    const access = first.body.access_token as string;
    const refresh = first.body.refresh_token as string;
    expect(await introspectToken(app, 'acme', client, refresh, 'refresh_token')).toMatchObject({ active: true, token_type: 'refresh_token' });

    expect(await exchangeCode(app, 'acme', client, code)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await introspectToken(app, 'acme', client, access)).toEqual({ active: false });
    expect(await introspectToken(app, 'acme', client, refresh)).toEqual({ active: false });
    expect((await graphql(app.url!, '{ profiles { nodes { username } } }', {}, access)).status).toBe(401);
    expect(await refreshTokens(app, 'acme', client, refresh)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const audit = await ownerSql(`select target_id from audit_outbox where action = 'token.grant_revoked' union all select target_id from audit_event where action = 'token.grant_revoked'`);
    expect(audit).toEqual([{ target_id: code.id }]);
  });

  it('refuses a code whose person was erased since the sign-in', async () => {
    const code = await insertOidcCode(app, customerId, client, 'alice', { now: clock.now() });
    const [profile] = await ownerSql('select id, person_key_id from profile');
    await ownerSql('select keyring.ids_shred_person(?, ?)', [customerId, profile.id]);
    app.services.keys.forgetPerson(profile.person_key_id);
    expect(await exchangeCode(app, 'acme', client, code)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('gives a person restricted since the sign-in an access token without profile fields', async () => {
    const [profile] = await ownerSql('select id from profile');
    await inContext(app, () => app.services.profiles.setRestriction(profile.id, true, PLATFORM));
    const code = await insertOidcCode(app, customerId, client, 'alice', { now: clock.now() });
    const res = await exchangeCode(app, 'acme', client, code);
    expect(res.status).toBe(200);
    expect(await introspectToken(app, 'acme', client, res.body.access_token as string)).toMatchObject({ active: true, scope: 'openid email offline_access profiles:read' });
  });

  it('issues no refresh token without offline_access, and refuses other grant types', async () => {
    const code = await insertOidcCode(app, customerId, client, 'alice', { scopes: ['openid', 'email'], now: clock.now() });
    const res = await exchangeCode(app, 'acme', client, code);
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('refresh_token');
    expect(await exchangeCode(app, 'acme', client, code, { grant_type: 'client_credentials' })).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
    expect(await exchangeCode(app, 'acme', client, code, { grant_type: undefined })).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });
});
