import { createHash } from 'node:crypto';
import { App } from '../../../src/app';
import { createTestCustomer, ownerSql, resetDatabase, startTestApp } from '../../support/app';
import { graphql } from '../../support/graphql';
import { operatorToken } from '../../support/operators';
import { createOidcClient, OIDC_CLIENT_FIELDS, OidcClientView } from '../../support/oidc-clients';

const UPDATE = `mutation($id: ID!, $input: UpdateOidcClientInput!) { updateOidcClient(id: $id, input: $input) { clientId clientSecret client { ${OIDC_CLIENT_FIELDS} } } }`;
const ROTATE = `mutation($id: ID!) { rotateOidcClientSecret(id: $id) { clientId clientSecret client { id hasSecret } } }`;
const DELETE = `mutation($id: ID!) { deleteOidcClient(id: $id) { id } }`;
const LIST = `query($c: ID!, $after: String) { oidcClients(customerId: $c, first: 1, after: $after) { nodes { id name } pageInfo { hasNextPage endCursor } } }`;
const ONE = `query($id: ID!) { oidcClient(id: $id) { ${OIDC_CLIENT_FIELDS} } }`;

type Payload = { clientId: string; clientSecret: string | null; client: OidcClientView };
const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');
const storedHash = async (id: string) => ((await ownerSql('select secret_hash from oauth_client where id = ?', [id]))[0] as { secret_hash: string | null }).secret_hash;
const auditActions = async (id: string) => (await ownerSql('select action from audit_outbox where target_id = ? order by id', [id])).map((r: { action: string }) => r.action);

describe('OpenID Connect client registration over GraphQL', () => {
  let app: App;
  let url: string;
  let customerId: string;
  let otherId: string;

  beforeAll(async () => {
    app = await startTestApp();
    url = app.url!;
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    await resetDatabase();
    ({ customer: { id: customerId } } = await createTestCustomer(app, 'acme'));
    ({ customer: { id: otherId } } = await createTestCustomer(app, 'other'));
  });

  it('registers a confidential client with a secret shown once and stored only as its hash, and the defaults', async () => {
    const created = await createOidcClient(url, customerId, { postLogoutRedirectUris: ['https://shop.example/bye'], logoUri: 'https://shop.example/logo.png' });
    expect(created.clientId).toMatch(/^cli_[A-Za-z0-9_-]{22}$/);
    expect(created.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.client).toEqual({
      id: expect.any(String),
      clientId: created.clientId,
      customerId,
      name: 'Shop',
      redirectUris: ['https://shop.example/cb'],
      postLogoutRedirectUris: ['https://shop.example/bye'],
      scopes: ['openid', 'profile', 'email'],
      tokenEndpointAuthMethod: 'CLIENT_SECRET_BASIC',
      hasSecret: true,
      jwks: null,
      idTokenSignedResponseAlg: 'ES256',
      logoUri: 'https://shop.example/logo.png',
      backchannelLogoutUri: null,
    });
    expect(await storedHash(created.client.id)).toBe(sha256(created.clientSecret!));
    const [row] = await ownerSql('select kind from oauth_client where id = ?', [created.client.id]);
    expect(row).toEqual({ kind: 'OIDC' });
    const one = await graphql<{ oidcClient: OidcClientView }>(url, ONE, { id: created.client.id });
    expect(one.data!.oidcClient).toEqual(created.client);
    expect(await auditActions(created.client.id)).toEqual(['oidc_client.created']);
  });

  it('registers a public client (none) without a secret, and accepts loopback http redirect URIs for native apps', async () => {
    const redirectUris = ['http://127.0.0.1:8080/cb', 'http://[::1]/cb', 'http://localhost:3000/cb', 'https://app.example/cb?x=1'];
    const created = await createOidcClient(url, customerId, { tokenEndpointAuthMethod: 'NONE', redirectUris, scopes: ['openid', 'offline_access', 'email', 'openid'] });
    expect(created.clientSecret).toBeNull();
    expect(created.client).toMatchObject({ hasSecret: false, redirectUris, scopes: ['openid', 'email', 'offline_access'] });
    expect(await storedHash(created.client.id)).toBeNull();
  });

  it('lists a customer\'s clients a page at a time', async () => {
    const a = await createOidcClient(url, customerId, { name: 'A' });
    const b = await createOidcClient(url, customerId, { name: 'B' });
    await createOidcClient(url, otherId, { name: 'Other' });
    const first = await graphql<{ oidcClients: { nodes: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string } } }>(url, LIST, { c: customerId });
    expect(first.data!.oidcClients.nodes).toEqual([{ id: a.client.id, name: 'A' }]);
    expect(first.data!.oidcClients.pageInfo.hasNextPage).toBe(true);
    const second = await graphql<{ oidcClients: { nodes: unknown[]; pageInfo: { hasNextPage: boolean } } }>(url, LIST, { c: customerId, after: first.data!.oidcClients.pageInfo.endCursor });
    expect(second.data!.oidcClients).toEqual({ nodes: [{ id: b.client.id, name: 'B' }], pageInfo: { hasNextPage: false, endCursor: expect.any(String) } });
  });

  it('updates only what is given, issues a secret when switching to a secret method and drops it when switching away', async () => {
    const created = await createOidcClient(url, customerId, { tokenEndpointAuthMethod: 'NONE' });
    const id = created.client.id;
    const update = async (input: Record<string, unknown>) => {
      const res = await graphql<{ updateOidcClient: Payload }>(url, UPDATE, { id, input });
      expect(res.errors).toBeUndefined();
      return res.data!.updateOidcClient;
    };

    const renamed = await update({ name: '  Shop 2 ', scopes: ['openid', 'address'], idTokenSignedResponseAlg: 'RS256', backchannelLogoutUri: 'https://shop.example/bc' });
    expect(renamed.clientSecret).toBeNull();
    expect(renamed.client).toMatchObject({ name: 'Shop 2', scopes: ['openid', 'address'], idTokenSignedResponseAlg: 'RS256', redirectUris: ['https://shop.example/cb'], hasSecret: false });

    const toBasic = await update({ tokenEndpointAuthMethod: 'CLIENT_SECRET_BASIC' });
    expect(toBasic.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await storedHash(id)).toBe(sha256(toBasic.clientSecret!));

    // Basic to post keeps the secret it has.
    const toPost = await update({ tokenEndpointAuthMethod: 'CLIENT_SECRET_POST', backchannelLogoutUri: null });
    expect(toPost.clientSecret).toBeNull();
    expect(toPost.client).toMatchObject({ tokenEndpointAuthMethod: 'CLIENT_SECRET_POST', hasSecret: true, backchannelLogoutUri: null });
    expect(await storedHash(id)).toBe(sha256(toBasic.clientSecret!));

    const toNone = await update({ tokenEndpointAuthMethod: 'NONE' });
    expect(toNone.client.hasSecret).toBe(false);
    expect(await storedHash(id)).toBeNull();
    expect(await auditActions(id)).toEqual(['oidc_client.created', 'oidc_client.updated', 'oidc_client.updated', 'oidc_client.updated', 'oidc_client.updated']);
  });

  it('rotates a secret (the old hash is gone) and refuses to rotate for a client without one', async () => {
    const created = await createOidcClient(url, customerId);
    const rotated = await graphql<{ rotateOidcClientSecret: Payload }>(url, ROTATE, { id: created.client.id });
    const secret = rotated.data!.rotateOidcClientSecret.clientSecret!;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(secret).not.toBe(created.clientSecret);
    expect(await storedHash(created.client.id)).toBe(sha256(secret));

    const pub = await createOidcClient(url, customerId, { tokenEndpointAuthMethod: 'NONE' });
    const refused = await graphql(url, ROTATE, { id: pub.client.id });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'CLIENT_SECRET_NOT_USED', tokenEndpointAuthMethod: 'none' });
    expect(await storedHash(pub.client.id)).toBeNull();
    expect(await auditActions(created.client.id)).toEqual(['oidc_client.created', 'oidc_client.secret_rotated']);
  });

  it('deletes a client with its tokens, audits it, and then knows it no more', async () => {
    const created = await createOidcClient(url, customerId);
    const id = created.client.id;
    await ownerSql(
      `insert into oauth_access_token (id, token_hash, client_id, customer_id, scopes, issued_at, expires_at) values (gen_random_uuid(), 'ab', ?, ?, '{openid}', now(), now() + interval '1 hour')`,
      [id, customerId],
    );
    const res = await graphql<{ deleteOidcClient: { id: string } }>(url, DELETE, { id });
    expect(res.data!.deleteOidcClient).toEqual({ id });
    expect(await ownerSql('select id from oauth_client where id = ?', [id])).toEqual([]);
    expect(await ownerSql('select id from oauth_access_token where client_id = ?', [id])).toEqual([]);
    expect(await auditActions(id)).toEqual(['oidc_client.created', 'oidc_client.deleted']);
    expect((await graphql<{ oidcClient: null }>(url, ONE, { id })).data!.oidcClient).toBeNull();
    const again = await graphql(url, DELETE, { id });
    expect(again.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  describe('who may', () => {
    it('lets a customer-bound admin manage its own customer\'s clients and nobody else\'s', async () => {
      const admin = await operatorToken(app, 'ADMIN', customerId);
      const own = await createOidcClient(url, customerId, {}, admin);
      expect(own.client.customerId).toBe(customerId);
      const theirs = await createOidcClient(url, otherId);

      const create = await graphql(url, `mutation($i: CreateOidcClientInput!) { createOidcClient(input: $i) { clientId } }`, { i: { customerId: otherId, name: 'X', redirectUris: ['https://x.example/cb'] } }, admin);
      expect(create.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      const list = await graphql<{ oidcClients: { nodes: unknown[] } }>(url, LIST, { c: otherId }, admin);
      expect(list.data!.oidcClients.nodes).toEqual([]);
      expect((await graphql<{ oidcClient: null }>(url, ONE, { id: theirs.client.id }, admin)).data!.oidcClient).toBeNull();
      for (const [query, variables] of [
        [UPDATE, { id: theirs.client.id, input: { name: 'Taken' } }],
        [ROTATE, { id: theirs.client.id }],
        [DELETE, { id: theirs.client.id }],
      ] as const) {
        const res = await graphql(url, query, variables, admin);
        expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      }
      const [row] = await ownerSql('select name, secret_hash from oauth_client where id = ?', [theirs.client.id]);
      expect(row).toEqual({ name: 'Shop', secret_hash: sha256(theirs.clientSecret!) });
    });

    it('lets read-only roles look but not change', async () => {
      const created = await createOidcClient(url, customerId);
      for (const role of ['VIEWER', 'AUDITOR', 'SUPPORT']) {
        const token = await operatorToken(app, role, customerId);
        const list = await graphql<{ oidcClients: { nodes: Array<{ id: string }> } }>(url, LIST, { c: customerId }, token);
        expect(list.data!.oidcClients.nodes).toEqual([{ id: created.client.id, name: 'Shop' }]);
        for (const [query, variables] of [
          [UPDATE, { id: created.client.id, input: { name: 'Changed' } }],
          [ROTATE, { id: created.client.id }],
          [DELETE, { id: created.client.id }],
        ] as const) {
          const res = await graphql(url, query, variables, token);
          expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', missingScopes: ['customers:write'] });
        }
      }
      expect(await storedHash(created.client.id)).toBe(sha256(created.clientSecret!));
      expect(await ownerSql('select name from oauth_client')).toEqual([{ name: 'Shop' }]);
    });
  });
});
