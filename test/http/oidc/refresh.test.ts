import { App } from '../../../src/app';
import { FixedClock } from '../../../src/shared/clock';
import { PLATFORM } from '../../../src/shared/tenant';
import { createTestCustomer, inContext, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { seedProfile } from '../../support/oauth';
import { createOidcClient, insertOidcCode, TestOidcClient } from '../../support/oidc';
import { exchangeCode, introspectToken, refreshTokens, verifyIdToken } from '../../support/oidc-exchange';

describe('the OpenID Connect token endpoint: refresh tokens rotate, and a reused one revokes the grant', () => {
  let app: App;
  let customerId: string;
  let profileId: string;
  let client: TestOidcClient;
  const clock = new FixedClock(new Date());

  beforeAll(async () => {
    app = await startPublicTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' }, { clock });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    clock.set(new Date());
    await resetDatabase();
    ({ customer: { id: customerId } } = await createTestCustomer(app, 'acme'));
    profileId = await seedProfile(app, customerId, 'alice', { email: 'alice@example.com', fullname: 'Alice Liddell' });
    client = await createOidcClient(app, customerId);
  });

  async function signedIn() {
    const code = await insertOidcCode(app, customerId, client, 'alice', { scopes: ['openid', 'profile', 'email', 'offline_access'], fields: ['email', 'fullname'], now: clock.now() });
    const res = await exchangeCode(app, 'acme', client, code);
    expect(res.status).toBe(200);
    return { code, access: res.body.access_token as string, refresh: res.body.refresh_token as string, idToken: res.body.id_token as string };
  }

  it('spends a refresh token for new access, refresh and ID tokens of the same grant (same sub and auth_time, no nonce)', async () => {
    const first = await signedIn();
    const before = await verifyIdToken(app, 'acme', first.idToken, client.clientId, clock.now());
    clock.advance(120_000);
    const next = await refreshTokens(app, 'acme', client, first.refresh);
    expect(next.status).toBe(200);
    expect(next.body).toMatchObject({ token_type: 'Bearer', scope: 'openid profile email offline_access', refresh_token: expect.any(String) });
    expect(next.body.refresh_token).not.toBe(first.refresh);
    const after = await verifyIdToken(app, 'acme', next.body.id_token as string, client.clientId, clock.now());
    expect(after).toMatchObject({ sub: 'alice', auth_time: before.auth_time, acr: before.acr });
    expect(after).not.toHaveProperty('nonce');
    expect(after.iat).toBeGreaterThan(before.iat!);
    // The new refresh token keeps the grant's absolute expiry.
    const rows = await ownerSql('select grant_id, expires_at, used_at from oauth_refresh_token order by issued_at');
    expect(rows).toHaveLength(2);
    expect(rows[0].expires_at).toEqual(rows[1].expires_at);
    expect(rows[0].grant_id).toBe(first.code.id);
    expect(rows[1].grant_id).toBe(first.code.id);
    expect(await introspectToken(app, 'acme', client, first.refresh)).toEqual({ active: false });
    expect(await introspectToken(app, 'acme', client, next.body.refresh_token as string)).toMatchObject({ active: true, sub: 'alice' });
  });

  it('answers a spent refresh token with invalid_grant and revokes every token of the grant', async () => {
    const first = await signedIn();
    const next = await refreshTokens(app, 'acme', client, first.refresh);
    expect(next.status).toBe(200);
    expect(await refreshTokens(app, 'acme', client, first.refresh)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    for (const token of [first.access, next.body.access_token as string, next.body.refresh_token as string]) {
      expect(await introspectToken(app, 'acme', client, token)).toEqual({ active: false });
    }
    expect(await refreshTokens(app, 'acme', client, next.body.refresh_token as string)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const audited = await ownerSql(`select details from audit_outbox where action = 'token.grant_revoked'`);
    expect(audited).toEqual([{ details: expect.objectContaining({ reason: 'refresh token reused' }) }]);
  });

  it('narrows the scope to a subset on request (dropping the fields of scopes left out), and refuses anything more', async () => {
    const first = await signedIn();
    expect(await refreshTokens(app, 'acme', client, first.refresh, { scope: 'openid phone' })).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
    const narrowed = await refreshTokens(app, 'acme', client, first.refresh, { scope: 'openid email' });
    expect(narrowed).toMatchObject({ status: 200, body: { scope: 'openid email' } });
    expect(await introspectToken(app, 'acme', client, narrowed.body.access_token as string)).toMatchObject({ active: true, scope: 'openid email profiles:read profile.email' });
    // The refresh token keeps the grant's whole scope (RFC 6749 §6).
    const again = await refreshTokens(app, 'acme', client, narrowed.body.refresh_token as string);
    expect(again.body.scope).toBe('openid profile email offline_access');
  });

  it('gives a person restricted since the sign-in tokens without profile fields', async () => {
    const first = await signedIn();
    await inContext(app, () => app.services.profiles.setRestriction(profileId, true, PLATFORM));
    const next = await refreshTokens(app, 'acme', client, first.refresh);
    expect(next.status).toBe(200);
    const scope = (await introspectToken(app, 'acme', client, next.body.access_token as string)).scope as string;
    expect(scope.split(' ').filter((s) => s.startsWith('profile.'))).toEqual([]);
  });

  it('refuses to refresh for a person erased since, and a refresh token of another client or expired', async () => {
    const first = await signedIn();
    const other = await createOidcClient(app, customerId);
    expect(await refreshTokens(app, 'acme', other, first.refresh)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    clock.advance(app.config.OIDC_REFRESH_TOKEN_TTL_SECONDS * 1000);
    expect(await refreshTokens(app, 'acme', client, first.refresh)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    clock.set(new Date());
    const [profile] = await ownerSql('select id, person_key_id from profile');
    await ownerSql('select keyring.ids_shred_person(?, ?)', [customerId, profile.id]);
    app.services.keys.forgetPerson(profile.person_key_id);
    expect(await refreshTokens(app, 'acme', client, first.refresh)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });
});
