import { createHmac } from 'node:crypto';
import { App } from '../../../src/app';
import { createTestCustomer, inContext, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { TEST_SECRET_KEY } from '../../support/env';
import { Browser, consentForm, postback, REALM, RETURN_URL } from '../../support/flow';
import { graphql } from '../../support/graphql';
import { operatorToken } from '../../support/operators';
import { clientToken } from '../../support/oauth';
import { associate, discover, relyingParty } from '../../support/rp';
import { ROTATION_ENV, TEST_SECRET_KEY_V2 } from '../../support/secret-keys';

const ME = 'query { me { kind id } }';

const hmacHex = (secret: string, value: string) => createHmac('sha256', secret).update(value).digest('hex');

/**
 * SECRET_KEYS rotation (issue 17, item 5), as three instances on one database see it: `v1` runs on
 * SECRET_KEY alone (as before SECRET_KEYS existed), `v2v1` lists `v2,v1`, `v2` lists v2 alone (v1
 * dropped). What one instance makes, the others accept exactly when they list its version.
 */
describe('rotating SECRET_KEYS', () => {
  let v1: App;
  let v2v1: App;
  let v2: App;
  let apiKey: string;
  let customerId: string;

  beforeAll(async () => {
    // All three share testEnv's MASTER_KEYS, as instances do in production (unset, the development
    // key-encryption key comes from the oldest SECRET_KEYS version, which the last one lacks).
    v1 = await startPublicTestApp();
    v2v1 = await startPublicTestApp({ SECRET_KEYS: ROTATION_ENV.during });
    v2 = await startPublicTestApp({ SECRET_KEYS: ROTATION_ENV.after });
  });
  afterAll(async () => {
    await Promise.all([v1, v2v1, v2].map((app) => app.stop()));
  });
  beforeEach(async () => {
    await resetDatabase();
    ({ apiKey, customer: { id: customerId } } = await createTestCustomer(v1, 'acme'));
  });

  /** A sign-in begun at `begin` (the cookie is made there) and finished at `finish`: the browser's last answer. */
  async function signIn(begin: App, finish: App, assocHandle?: string) {
    const rp = relyingParty({ returnUrl: RETURN_URL, realm: REALM, stateless: true });
    const browser = new Browser();
    const start = new URL(await rp.start(`${begin.config.PUBLIC_URL}/c/acme/`));
    if (assocHandle) start.searchParams.set('openid.assoc_handle', assocHandle);
    const hop = await browser.get(start.toString());
    expect(hop.status).toBe(302);
    const requestId = new URL(hop.location!).searchParams.get('request_id')!;
    expect((await postback(finish, 'acme', { request_id: requestId, api_key: apiKey, username: 'alice', no_prompt: 'true' })).status).toBe(200);
    const back = await browser.get(`${finish.url}/c/acme/ows_return?request_id=${requestId}`);
    if (back.status !== 200) return back;
    const form = consentForm(back.body);
    return browser.postForm(`${finish.url}/c/acme/ows_consent`, [
      ['auth_request', form.authRequest],
      ['csrf', form.csrf],
      ['decision', 'allow'],
    ]);
  }

  const assertion = (answer: { status: number; location: string | null }) => {
    expect(answer.status).toBe(302);
    return new URL(answer.location!).searchParams;
  };

  it('finishes a sign-in whose binding cookie was made under v1 while v1 is listed, and refuses it once v1 is dropped', async () => {
    expect(assertion(await signIn(v1, v2v1)).get('openid.mode')).toBe('id_res');
    const refused = await signIn(v1, v2);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('This sign-in was not started in this browser.');
    // Made under v2 now: v1 alone refuses it, v2 alone takes it.
    expect((await signIn(v2v1, v1)).status).toBe(403);
    expect(assertion(await signIn(v2v1, v2)).get('openid.mode')).toBe('id_res');
  });

  it('signs with an association sealed under v1 while v1 is listed, and treats it as unknown once v1 is dropped', async () => {
    const [provider] = await discover(`${v1.config.PUBLIC_URL}/c/acme/`);
    const { assoc_handle: handle } = await associate(provider!, 'DH-SHA256');
    const [box] = await ownerSql('select secret from openid_association where handle = ?', [handle]);
    expect((box as { secret: Buffer }).secret.subarray(0, 4).toString('latin1')).toBe('$v1$');
    const during = assertion(await signIn(v2v1, v2v1, handle));
    expect(during.get('openid.assoc_handle')).toBe(handle);
    expect(during.get('openid.invalidate_handle')).toBeNull();
    const after = assertion(await signIn(v2, v2, handle));
    expect(after.get('openid.assoc_handle')).not.toBe(handle);
    expect(after.get('openid.invalidate_handle')).toBe(handle);
  });

  it('accepts an access token issued under v1 while v1 is listed, stores new ones under v2, and refuses v1 tokens once v1 is dropped', async () => {
    const { token, clientId, clientSecret } = await clientToken(v1, customerId, ['consents:read']);
    expect((await graphql(v2v1.url!, ME, {}, token)).data).toEqual({ me: { kind: 'CLIENT', id: clientId } });
    const introspect = async (app: App, presented: string) => {
      const res = await fetch(`${app.url}/oauth/introspect`, { method: 'POST', body: new URLSearchParams({ token: presented, client_id: clientId, client_secret: clientSecret }) });
      return ((await res.json()) as { active: boolean }).active;
    };
    expect(await introspect(v2v1, token)).toBe(true);
    const refused = await graphql(v2.url!, ME, {}, token);
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await introspect(v2, token)).toBe(false);

    const newer = await clientToken(v2v1, customerId, ['consents:read']);
    const hashes = (await ownerSql('select token_hash from oauth_access_token')).map((r) => (r as { token_hash: string }).token_hash);
    expect(hashes).toEqual(expect.arrayContaining([hmacHex(TEST_SECRET_KEY, token), hmacHex(TEST_SECRET_KEY_V2, newer.token)]));
    expect((await graphql(v2.url!, ME, {}, newer.token)).status).toBe(200);
    expect((await graphql(v1.url!, ME, {}, newer.token)).status).toBe(401);
  });

  it('revokes a v1 access token presented to an instance listing v2,v1', async () => {
    const { token, clientId, clientSecret } = await clientToken(v1, customerId, ['consents:read']);
    const res = await fetch(`${v2v1.url}/oauth/revoke`, { method: 'POST', body: new URLSearchParams({ token, client_id: clientId, client_secret: clientSecret }) });
    expect(res.status).toBe(200);
    expect(await ownerSql('select revoked_at from oauth_access_token where revoked_at is not null')).toHaveLength(1);
    expect((await graphql(v1.url!, ME, {}, token)).status).toBe(401);
  });

  it('exchanges a login code made under v1 while v1 is listed, and refuses it once v1 is dropped', async () => {
    const { client, clientSecret } = await inContext(v1, () => v1.services.oauthClients.createClient({ customerId, name: 'RP backend', scopes: ['consents:read'] }));
    const exchange = async (app: App, code: string) =>
      (await fetch(`${app.url}/oauth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', code, client_id: client.clientId, client_secret: clientSecret }) })).status;
    const first = assertion(await signIn(v1, v1)).get('openid.ids.code')!;
    expect(await exchange(v2v1, first)).toBe(200);
    const second = assertion(await signIn(v1, v1)).get('openid.ids.code')!;
    expect(await exchange(v2, second)).toBe(400);
  });

  it('accepts an operator token issued under v1 while v1 is listed, stores new ones under v2, and refuses v1 tokens once v1 is dropped', async () => {
    const token = await operatorToken(v1, 'VIEWER', customerId);
    expect((await graphql(v2v1.url!, ME, {}, token)).status).toBe(200);
    const refused = await graphql(v2.url!, ME, {}, token);
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const newer = await operatorToken(v2v1, 'VIEWER', customerId);
    const [row] = await ownerSql('select token_hash from operator_token where token_hash <> ?', [hmacHex(TEST_SECRET_KEY, token)]);
    expect((row as { token_hash: string }).token_hash).toBe(hmacHex(TEST_SECRET_KEY_V2, newer));
    expect((await graphql(v2.url!, ME, {}, newer)).status).toBe(200);
  });
});
