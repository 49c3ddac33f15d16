import { App } from '../../../src/app';
import { customerScope } from '../../../src/db/scope';
import { changesDelivered, createTestCustomer, inContext, ownerSql, resetDatabase, startTestApp } from '../../support/app';
import { graphql } from '../../support/graphql';
import { createOidcClient } from '../../support/oidc-clients';
import { waitUntil } from '../../support/wait';

describe('OIDC clients: the endpoints\' cached lookup, and the service clients\' paths that stay theirs', () => {
  let app: App;
  let url: string;
  let customerId: string;
  let otherId: string;

  beforeAll(async () => {
    // A max age far beyond the test: only a change notification can make the cache read again.
    app = await startTestApp({ CONFIG_CACHE_MAX_AGE_SECONDS: '3600' });
    url = app.url!;
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    await resetDatabase();
    ({ customer: { id: customerId } } = await createTestCustomer(app, 'acme'));
    ({ customer: { id: otherId } } = await createTestCustomer(app, 'other'));
    await changesDelivered(app);
  });

  /** The lookup as the OIDC routes call it: in a unit of work scoped to the customer. */
  const find = (forCustomer: string, clientId: string) => app.db.run(customerScope(forCustomer), () => app.services.oidcClientLookup.find(forCustomer, clientId));

  it('finds an enabled OIDC client of the customer only, and answers the next call from memory', async () => {
    const created = await createOidcClient(url, customerId, { logoUri: 'https://shop.example/logo.png' });
    await changesDelivered(app);
    const found = await find(customerId, created.clientId);
    expect(found).toEqual({
      id: created.client.id,
      clientId: created.clientId,
      customerId,
      name: 'Shop',
      logoUri: 'https://shop.example/logo.png',
      redirectUris: ['https://shop.example/cb'],
      postLogoutRedirectUris: [],
      scopes: ['openid', 'profile', 'email'],
      tokenEndpointAuthMethod: 'client_secret_basic',
      jwks: null,
      idTokenSignedResponseAlg: 'ES256',
      backchannelLogoutUri: null,
      secretHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(Object.isFrozen(found)).toBe(true);
    // The same frozen object: answered from memory, not read again.
    expect(await find(customerId, created.clientId)).toBe(found);

    // Another customer's issuer does not know it, nor does anyone know a service client or a disabled one.
    expect(await find(otherId, created.clientId)).toBeNull();
    const service = await inContext(app, () => app.services.oauthClients.createClient({ customerId, name: 'Reports', scopes: ['profiles:read'] }));
    expect(await find(customerId, service.client.clientId)).toBeNull();
    await ownerSql('update oauth_client set disabled_at = now() where id = ?', [created.client.id]);
    await waitUntil('the disabled client to be dropped from the cache', async () => (await find(customerId, created.clientId)) === null);
  });

  it('sees a change made by another path once the change feed says so, and keeps other customers\' entries', async () => {
    const ours = await createOidcClient(url, customerId);
    const theirs = await createOidcClient(url, otherId);
    await changesDelivered(app);
    expect((await find(customerId, ours.clientId))?.name).toBe('Shop');
    const theirsCached = await find(otherId, theirs.clientId);
    expect(theirsCached?.name).toBe('Shop');

    // Written beside the service (another instance, or by hand): only the notification can tell this instance.
    await ownerSql(`update oauth_client set name = 'Shop renamed', redirect_uris = '{https://shop.example/new}' where id = ?`, [ours.client.id]);
    await waitUntil('the lookup to see the renamed client', async () => (await find(customerId, ours.clientId))?.name === 'Shop renamed');
    expect((await find(customerId, ours.clientId))?.redirectUris).toEqual(['https://shop.example/new']);
    // The other customer's entry was not dropped: still the object in memory.
    expect(await find(otherId, theirs.clientId)).toBe(theirsCached);

    await ownerSql('delete from oauth_client where id = ?', [ours.client.id]);
    await waitUntil('the lookup to forget the deleted client', async () => (await find(customerId, ours.clientId)) === null);
  });

  it('drops every entry when the feed reconnects (reset)', async () => {
    const ours = await createOidcClient(url, customerId);
    await changesDelivered(app);
    expect((await find(customerId, ours.clientId))?.name).toBe('Shop');
    // Renamed behind the cache's back (the change trigger off): only a reset can make the lookup read it.
    await ownerSql('alter table oauth_client disable trigger oauth_client_changed');
    try {
      await ownerSql('update oauth_client set name = ? where client_id = ?', ['Shop renamed', ours.clientId]);
    } finally {
      await ownerSql('alter table oauth_client enable trigger oauth_client_changed');
    }
    expect((await find(customerId, ours.clientId))?.name).toBe('Shop');
    app.services.oidcClientLookup.onChange('reset');
    expect((await find(customerId, ours.clientId))?.name).toBe('Shop renamed');
  });

  describe('the service clients\' paths', () => {
    const form = (body: Record<string, string>, authorization?: string) =>
      fetch(`${url}/oauth/${body.token ? 'introspect' : 'token'}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
        body: new URLSearchParams(body).toString(),
      }).then(async (res) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> }));
    const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

    it('refuse an OIDC client at /oauth/token (both grants) and /oauth/introspect as unauthorized_client, issuing nothing', async () => {
      const rp = await createOidcClient(url, customerId);
      const auth = basic(rp.clientId, rp.clientSecret!);
      const credentials = await form({ grant_type: 'client_credentials' }, auth);
      expect(credentials).toEqual({ status: 400, body: { error: 'unauthorized_client', error_description: expect.stringContaining('/oidc/') } });
      const code = await form({ grant_type: 'authorization_code', code: 'x'.repeat(43) }, auth);
      expect(code.body.error).toBe('unauthorized_client');
      const post = await form({ grant_type: 'client_credentials', client_id: rp.clientId, client_secret: rp.clientSecret! });
      expect(post.body.error).toBe('unauthorized_client');
      const introspect = await form({ token: 'x'.repeat(43), client_id: rp.clientId, client_secret: rp.clientSecret! });
      expect(introspect.body.error).toBe('unauthorized_client');
      expect(await ownerSql('select id from oauth_access_token')).toEqual([]);
    });

    it('neither list nor change an OIDC client through the OAuth client operations', async () => {
      const rp = await createOidcClient(url, customerId);
      const list = await graphql<{ oauthClients: { nodes: unknown[] } }>(url, `query($c: ID!) { oauthClients(customerId: $c) { nodes { clientId } } }`, { c: customerId });
      expect(list.data!.oauthClients.nodes).toEqual([]);
      for (const mutation of [
        `mutation($id: ID!) { rotateOAuthClientSecret(id: $id) { clientSecret } }`,
        `mutation($id: ID!) { disableOAuthClient(id: $id) { client { isDisabled } } }`,
      ]) {
        const res = await graphql(url, mutation, { id: rp.client.id });
        expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      }
      const [row] = await ownerSql('select secret_hash, disabled_at from oauth_client where id = ?', [rp.client.id]);
      expect(row.disabled_at).toBeNull();
      // And the other way round: a service client is no OIDC client.
      const service = await inContext(app, () => app.services.oauthClients.createClient({ customerId, name: 'Reports', scopes: ['profiles:read'] }));
      const one = await graphql<{ oidcClient: null }>(url, `query($id: ID!) { oidcClient(id: $id) { id } }`, { id: service.client.id });
      expect(one.data!.oidcClient).toBeNull();
      const del = await graphql(url, `mutation($id: ID!) { deleteOidcClient(id: $id) { id } }`, { id: service.client.id });
      expect(del.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    });
  });
});
