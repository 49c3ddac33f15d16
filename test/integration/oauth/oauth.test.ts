import { App } from '../../../src/app';
import { FixedClock } from '../../../src/shared/clock';
import { createTestCustomer, inContext, ownerSql, resetDatabase, startTestApp, tableCounts } from '../../support/app';
import { graphql } from '../../support/graphql';

const CREATE = `mutation($input: CreateOAuthClientInput!) {
  createOAuthClient(input: $input) { clientId clientSecret client { id clientId customerId name scopes isDisabled } }
}`;
const ROTATE = `mutation($id: ID!) { rotateOAuthClientSecret(id: $id) { clientSecret client { id } } }`;
const DISABLE = `mutation($id: ID!) { disableOAuthClient(id: $id) { client { isDisabled disabledAt } } }`;
const LIST = `query($customerId: ID!) { oauthClients(customerId: $customerId, first: 10) { nodes { clientId name scopes } pageInfo { hasNextPage } } }`;

type Created = { createOAuthClient: { clientId: string; clientSecret: string; client: { id: string; scopes: string[] } } };

describe('OAuth clients and the client credentials grant', () => {
  let app: App;
  let url: string;
  let customerId: string;
  const clock = new FixedClock(new Date());

  beforeAll(async () => {
    app = await startTestApp({ ACCESS_TOKEN_TTL_SECONDS: '600' }, { clock });
    url = app.url!;
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    clock.set(new Date());
    await resetDatabase();
    ({ customer: { id: customerId } } = await createTestCustomer(app, 'acme'));
  });

  async function createClient(scopes = ['consents:read', 'profiles:read'], forCustomer = customerId) {
    const res = await graphql<Created>(url, CREATE, { input: { customerId: forCustomer, name: 'Reporting', scopes } });
    expect(res.errors).toBeUndefined();
    return res.data!.createOAuthClient;
  }

  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

  async function post(path: string, form: Record<string, string>, authorization?: string) {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (authorization) headers.authorization = authorization;
    const res = await fetch(`${url}${path}`, { method: 'POST', headers, body: new URLSearchParams(form).toString() });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
  }

  async function token(client: { clientId: string; clientSecret: string }, scope?: string) {
    const res = await post('/oauth/token', { grant_type: 'client_credentials', ...(scope ? { scope } : {}) }, basic(client.clientId, client.clientSecret));
    expect(res.status).toBe(200);
    return res.body.access_token as string;
  }

  const introspect = (client: { clientId: string; clientSecret: string }, accessToken: string) =>
    post('/oauth/introspect', { token: accessToken, client_id: client.clientId, client_secret: client.clientSecret });

  it('creates a client whose id and one-time secret get a token for a subset of its scopes', async () => {
    const client = await createClient();
    expect(client.clientId).toMatch(/^cli_[A-Za-z0-9_-]{22}$/);
    expect(client.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(client.client).toMatchObject({ customerId, scopes: ['consents:read', 'profiles:read'], isDisabled: false });

    const res = await post('/oauth/token', { grant_type: 'client_credentials', scope: 'consents:read' }, basic(client.clientId, client.clientSecret));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual({ access_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), token_type: 'Bearer', expires_in: 600, scope: 'consents:read' });

    const seen = await introspect(client, res.body.access_token as string);
    const now = Math.floor(clock.now().getTime() / 1000);
    expect(seen.body).toEqual({ active: true, scope: 'consents:read', client_id: client.clientId, iat: now, exp: now + 600, token_type: 'Bearer' });

    const list = await graphql<{ oauthClients: { nodes: unknown[] } }>(url, LIST, { customerId });
    expect(list.data!.oauthClients.nodes).toEqual([{ clientId: client.clientId, name: 'Reporting', scopes: ['consents:read', 'profiles:read'] }]);
  });

  it('grants every scope of the client when none is asked for, and refuses a superset as invalid_scope', async () => {
    const client = await createClient();
    const all = await post('/oauth/token', { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret });
    expect(all.body.scope).toBe('consents:read profiles:read');
    for (const scope of ['consents:read audit:read', 'no-such-scope', 'consents:read  profiles:read']) {
      const res = await post('/oauth/token', { grant_type: 'client_credentials', scope }, basic(client.clientId, client.clientSecret));
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_scope');
    }
  });

  it('accepts client_secret_post as well as client_secret_basic, but not both in one request', async () => {
    const client = await createClient();
    const viaPost = await post('/oauth/token', { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret });
    expect(viaPost.status).toBe(200);
    const both = await post(
      '/oauth/token',
      { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret },
      basic(client.clientId, client.clientSecret),
    );
    expect(both.status).toBe(400);
    expect(both.body.error).toBe('invalid_request');
  });

  it('refuses a wrong secret with invalid_client, 401, and a Basic challenge when Basic was used', async () => {
    const client = await createClient();
    const viaBasic = await post('/oauth/token', { grant_type: 'client_credentials' }, basic(client.clientId, `${client.clientSecret}x`));
    expect(viaBasic.status).toBe(401);
    expect(viaBasic.body.error).toBe('invalid_client');
    expect(viaBasic.headers.get('www-authenticate')).toMatch(/^Basic/);
    const viaPost = await post('/oauth/token', { grant_type: 'client_credentials', client_id: client.clientId, client_secret: 'wrong' });
    expect(viaPost.status).toBe(401);
    expect(viaPost.body.error).toBe('invalid_client');
    const unknown = await post('/oauth/token', { grant_type: 'client_credentials' }, basic('cli_unknown', client.clientSecret));
    expect(unknown.status).toBe(401);
  });

  it('answers unsupported_grant_type and invalid_request per RFC 6749 §5.2', async () => {
    const client = await createClient();
    const auth = basic(client.clientId, client.clientSecret);
    expect((await post('/oauth/token', { grant_type: 'password', username: 'a', password: 'b' }, auth)).body.error).toBe('unsupported_grant_type');
    const missing = await post('/oauth/token', {}, auth);
    expect([missing.status, missing.body.error]).toEqual([400, 'invalid_request']);
  });

  it('refuses a disabled client and deactivates its tokens', async () => {
    const client = await createClient();
    const accessToken = await token(client);
    const other = await createClient(['consents:read']);
    const disabled = await graphql<{ disableOAuthClient: { client: { isDisabled: boolean } } }>(url, DISABLE, { id: client.client.id });
    expect(disabled.data!.disableOAuthClient.client.isDisabled).toBe(true);
    const res = await post('/oauth/token', { grant_type: 'client_credentials' }, basic(client.clientId, client.clientSecret));
    expect([res.status, res.body.error]).toEqual([401, 'invalid_client']);
    expect((await introspect(other, accessToken)).body).toEqual({ active: false });
  });

  it('rotating the secret stops the old one at once', async () => {
    const client = await createClient();
    const rotated = await graphql<{ rotateOAuthClientSecret: { clientSecret: string } }>(url, ROTATE, { id: client.client.id });
    const fresh = rotated.data!.rotateOAuthClientSecret.clientSecret;
    expect(fresh).not.toBe(client.clientSecret);
    expect((await post('/oauth/token', { grant_type: 'client_credentials' }, basic(client.clientId, client.clientSecret))).status).toBe(401);
    expect((await post('/oauth/token', { grant_type: 'client_credentials' }, basic(client.clientId, fresh))).status).toBe(200);
  });

  it('revoked and expired tokens are inactive; only the owning client revokes', async () => {
    const client = await createClient();
    const sibling = await createClient(['consents:read']);
    const first = await token(client);
    // A sibling client of the same customer cannot revoke it, yet is told 200 (RFC 7009 §2.2).
    expect((await post('/oauth/revoke', { token: first }, basic(sibling.clientId, sibling.clientSecret))).status).toBe(200);
    expect((await introspect(client, first)).body.active).toBe(true);
    expect((await post('/oauth/revoke', { token: first }, basic(client.clientId, client.clientSecret))).status).toBe(200);
    expect((await introspect(client, first)).body).toEqual({ active: false });
    expect((await post('/oauth/revoke', { token: 'never-issued' }, basic(client.clientId, client.clientSecret))).status).toBe(200);

    const second = await token(client);
    clock.advance(599_000);
    expect((await introspect(client, second)).body.active).toBe(true);
    clock.advance(1_000);
    expect((await introspect(client, second)).body).toEqual({ active: false });
  });

  it('tokens of another customer are inactive to its clients', async () => {
    const client = await createClient();
    const { customer: globex } = await createTestCustomer(app, 'globex');
    const foreign = await createClient(['consents:read'], globex.id);
    const accessToken = await token(client);
    expect((await introspect(foreign, accessToken)).body).toEqual({ active: false });
    expect((await introspect(client, accessToken)).body.active).toBe(true);
  });

  it('never stores the client secret or an access token in clear', async () => {
    const client = await createClient();
    const accessToken = await token(client);
    const dump = JSON.stringify([
      await ownerSql('select * from oauth_client'),
      await ownerSql('select * from oauth_access_token'),
    ]);
    expect(dump).toContain(client.clientId);
    expect(dump).not.toContain(client.clientSecret);
    expect(dump).not.toContain(accessToken);
    expect(dump).not.toContain(Buffer.from(accessToken, 'base64url').toString('hex'));
  });

  it.each([
    ['scopes', { scopes: ['consents:read', 'admin'] }, 'BAD_USER_INPUT'],
    ['scopes', { scopes: [] }, 'BAD_USER_INPUT'],
    ['name', { name: '  ' }, 'BAD_USER_INPUT'],
    [undefined, { customerId: '00000000-0000-4000-8000-000000000000' }, 'NOT_FOUND'],
    [undefined, { customerId: 'not-a-uuid' }, 'NOT_FOUND'],
  ])('refuses bad input (%s) and writes nothing', async (field, overrides, code) => {
    const before = await tableCounts();
    const res = await graphql(url, CREATE, { input: { customerId, name: 'Reporting', scopes: ['consents:read'], ...overrides } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code, ...(field ? { field } : {}) });
    expect(await tableCounts()).toEqual(before);
  });

  it('the purge job deletes expired tokens', async () => {
    const client = await createClient();
    await token(client);
    const { deleteExpiredRows } = await import('../../../src/db/expired-row.repository');
    expect(await inContext(app, () => deleteExpiredRows(app.orm.em, 'oauth_access_token', clock.now(), 100))).toBe(0);
    expect(await inContext(app, () => deleteExpiredRows(app.orm.em, 'oauth_access_token', new Date(clock.now().getTime() + 600_000), 100))).toBe(1);
  });
});
