import { randomUUID } from 'node:crypto';
import { App } from '../../../src/app';
import { FixedClock } from '../../../src/shared/clock';
import { PLATFORM } from '../../../src/shared/tenant';
import { createTestCustomer, inContext, resetDatabase, startPublicTestApp } from '../../support/app';
import { testQueuePrefix } from '../../support/env';
import { clientToken, seedProfile } from '../../support/oauth';
import { clientAuth, createOidcClient, insertOidcCode, postForm, TestOidcClient } from '../../support/oidc';
import { exchangeCode, introspectToken, issuerOf } from '../../support/oidc-exchange';

describe('UserInfo, revocation and introspection of OpenID Connect tokens', () => {
  let app: App;
  let customerId: string;
  let profileId: string;
  let client: TestOidcClient;
  const clock = new FixedClock(new Date());

  beforeAll(async () => {
    app = await startPublicTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', QUEUE_PREFIX: `${testQueuePrefix()}-oidc-${randomUUID()}` }, { clock });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    clock.set(new Date());
    await resetDatabase();
    ({ customer: { id: customerId } } = await createTestCustomer(app, 'acme'));
    profileId = await seedProfile(app, customerId, 'alice', { email: 'alice@example.com', fullname: 'Alice Liddell', country: 'GB', postcode: 'OX1 1DP' });
    client = await createOidcClient(app, customerId);
  });

  async function tokensFor(fields: string[], scopes = ['openid', 'profile', 'email', 'address', 'offline_access']) {
    const code = await insertOidcCode(app, customerId, client, 'alice', { fields, scopes, now: clock.now() });
    const res = await exchangeCode(app, 'acme', client, code);
    expect(res.status).toBe(200);
    return { access: res.body.access_token as string, refresh: res.body.refresh_token as string };
  }

  const userinfo = async (token: string, init: RequestInit = {}, query = '') => {
    const res = await fetch(`${issuerOf(app, 'acme').userinfo}${query}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) } });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: /json/.test(res.headers.get('content-type') ?? '') ? (JSON.parse(text) as Record<string, unknown>) : text };
  };

  it('answers sub and the claims of the released fields only, never cached, to any origin', async () => {
    const { access } = await tokensFor(['email', 'country']);
    const res = await userinfo(access);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sub: 'alice', email: 'alice@example.com', email_verified: false, address: { country: 'GB' } });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    // POST with the token in the form body (RFC 6750 §2.2) answers the same.
    const posted = await postForm(issuerOf(app, 'acme').userinfo, { access_token: access });
    expect(posted).toMatchObject({ status: 200, body: { sub: 'alice', email: 'alice@example.com' } });
  });

  it('answers only sub for a person restricted since the sign-in', async () => {
    const { access } = await tokensFor(['email', 'fullname']);
    await inContext(app, () => app.services.profiles.setRestriction(profileId, true, PLATFORM));
    expect((await userinfo(access)).body).toEqual({ sub: 'alice' });
  });

  it('refuses a missing, unknown, revoked or service token with a Bearer challenge, and a token in the URL', async () => {
    const none = await fetch(issuerOf(app, 'acme').userinfo);
    expect(none.status).toBe(401);
    // RFC 6750 §3.1: no credentials at all get the bare challenge, without an error code.
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="userinfo"');
    const unknown = await userinfo('not-a-token');
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const service = await clientToken(app, customerId, ['profiles:read']);
    expect((await userinfo(service.token)).status).toBe(401);
    const { access } = await tokensFor(['email']);
    const inUrl = await userinfo(access, {}, `?access_token=${access}`);
    expect(inUrl.status).toBe(400);
    expect(inUrl.headers.get('www-authenticate')).toBe('Bearer error="invalid_request"');
    const { customer: globex } = await createTestCustomer(app, 'globex');
    expect(globex.id).not.toBe(customerId);
    const elsewhere = await fetch(`${app.url}/c/globex/oidc/userinfo`, { headers: { authorization: `Bearer ${access}` } });
    expect(elsewhere.status).toBe(401);
    await postForm(issuerOf(app, 'acme').revoke, { token: access }, clientAuth(client).headers);
    expect((await userinfo(access)).status).toBe(401);
  });

  it('revokes a refresh token with its access tokens, and leaves other clients\' tokens alone', async () => {
    const { access, refresh } = await tokensFor(['email']);
    const other = await createOidcClient(app, customerId);
    expect((await postForm(issuerOf(app, 'acme').revoke, { token: refresh }, clientAuth(other).headers)).status).toBe(200);
    expect(await introspectToken(app, 'acme', client, refresh)).toMatchObject({ active: true });
    expect((await postForm(issuerOf(app, 'acme').revoke, { token: refresh, token_type_hint: 'refresh_token' }, clientAuth(client).headers)).status).toBe(200);
    expect(await introspectToken(app, 'acme', client, refresh)).toEqual({ active: false });
    expect(await introspectToken(app, 'acme', client, access)).toEqual({ active: false });
  });

  it("introspects the client's own access and refresh tokens (a hint is only a hint); others' look inactive", async () => {
    const { access, refresh } = await tokensFor(['email']);
    expect(await introspectToken(app, 'acme', client, access, 'refresh_token')).toMatchObject({ active: true, token_type: 'Bearer', sub: 'alice', client_id: client.clientId, iss: issuerOf(app, 'acme').issuer });
    expect(await introspectToken(app, 'acme', client, refresh, 'access_token')).toMatchObject({ active: true, token_type: 'refresh_token', sub: 'alice' });
    const other = await createOidcClient(app, customerId);
    expect(await introspectToken(app, 'acme', other, access)).toEqual({ active: false });
    expect(await introspectToken(app, 'acme', other, refresh)).toEqual({ active: false });
    expect((await postForm(issuerOf(app, 'acme').introspect, { token: access }, { authorization: 'Basic ' + Buffer.from(`${client.clientId}:wrong`).toString('base64') })).status).toBe(401);
  });
});
