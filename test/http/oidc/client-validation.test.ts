import { generateKeyPairSync } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import { App } from '../../../src/app';
import { createTestCustomer, ownerSql, resetDatabase, startTestApp, tableCounts } from '../../support/app';
import { graphql } from '../../support/graphql';
import { createOidcClient, createOidcClientRequest } from '../../support/oidc-clients';

const UPDATE = `mutation($id: ID!, $input: UpdateOidcClientInput!) { updateOidcClient(id: $id, input: $input) { clientSecret } }`;

/** A public signing key as a JWK, with `extra` members merged in. */
async function publicJwk(alg: 'ES256' | 'RS256', extra: Record<string, unknown> = {}) {
  const { publicKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(publicKey)), ...extra };
}

async function privateJwk(alg: 'ES256' | 'RS256') {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return exportJWK(privateKey);
}

const jwks = (...keys: unknown[]) => JSON.stringify({ keys });

describe('OpenID Connect client registration refuses bad input and writes nothing', () => {
  let app: App;
  let url: string;
  let customerId: string;

  beforeAll(async () => {
    app = await startTestApp();
    url = app.url!;
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    await resetDatabase();
    ({ customer: { id: customerId } } = await createTestCustomer(app, 'acme'));
  });

  const many = (n: number) => Array.from({ length: n }, (_, i) => `https://shop.example/cb${i}`);
  const bad: Array<[what: string, input: Record<string, unknown>, field: string]> = [
    ['no redirect URI', { redirectUris: [] }, 'redirectUris'],
    ['a relative redirect URI', { redirectUris: ['/cb'] }, 'redirectUris'],
    ['plain http to a public host', { redirectUris: ['http://shop.example/cb'] }, 'redirectUris'],
    ['plain http to a host that only starts like a loopback address', { redirectUris: ['http://127.0.0.1.evil.example/cb'] }, 'redirectUris'],
    ['plain http to a private, not loopback, address', { redirectUris: ['http://10.0.0.1/cb'] }, 'redirectUris'],
    ['a fragment', { redirectUris: ['https://shop.example/cb#top'] }, 'redirectUris'],
    ['an empty fragment', { redirectUris: ['https://shop.example/cb#'] }, 'redirectUris'],
    ['a wildcard host', { redirectUris: ['https://*.shop.example/cb'] }, 'redirectUris'],
    ['a wildcard path', { redirectUris: ['https://shop.example/*'] }, 'redirectUris'],
    ['credentials', { redirectUris: ['https://user:pw@shop.example/cb'] }, 'redirectUris'],
    ['another scheme', { redirectUris: ['javascript:alert(1)'] }, 'redirectUris'],
    ['a repeated redirect URI', { redirectUris: ['https://shop.example/cb', 'https://shop.example/cb'] }, 'redirectUris'],
    ['21 redirect URIs', { redirectUris: many(21) }, 'redirectUris'],
    ['a redirect URI over 2000 characters', { redirectUris: [`https://shop.example/${'a'.repeat(2000)}`] }, 'redirectUris'],
    ['a post-logout URI over plain http', { postLogoutRedirectUris: ['http://shop.example/bye'] }, 'postLogoutRedirectUris'],
    ['21 post-logout URIs', { postLogoutRedirectUris: many(21) }, 'postLogoutRedirectUris'],
    ['a logo over plain http', { logoUri: 'http://shop.example/logo.png' }, 'logoUri'],
    ['a back-channel URI of another scheme', { backchannelLogoutUri: 'ftp://shop.example/bc' }, 'backchannelLogoutUri'],
    ['scopes without openid', { scopes: ['profile', 'email'] }, 'scopes'],
    ['a scope that is not an OpenID Connect scope', { scopes: ['openid', 'customers:write'] }, 'scopes'],
    ['an empty name', { name: '   ' }, 'name'],
    ['a name over 200 characters', { name: 'n'.repeat(201) }, 'name'],
    ['private_key_jwt without jwks', { tokenEndpointAuthMethod: 'PRIVATE_KEY_JWT' }, 'jwks'],
    ['jwks that are not JSON', { tokenEndpointAuthMethod: 'PRIVATE_KEY_JWT', jwks: '{keys:' }, 'jwks'],
    ['jwks without keys', { tokenEndpointAuthMethod: 'PRIVATE_KEY_JWT', jwks: jwks() }, 'jwks'],
    ['a JWK that is no key at all', { tokenEndpointAuthMethod: 'PRIVATE_KEY_JWT', jwks: jwks({ kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' }) }, 'jwks'],
    ['a symmetric key', { tokenEndpointAuthMethod: 'PRIVATE_KEY_JWT', jwks: jwks({ kty: 'oct', k: 'c2VjcmV0' }) }, 'jwks'],
  ];

  it.each(bad)('refuses %s', async (_what, input, field) => {
    const before = await tableCounts();
    const res = await createOidcClientRequest(url, { customerId, name: 'Shop', redirectUris: ['https://shop.example/cb'], ...input });
    expect(res.data).toBeNull();
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await tableCounts()).toEqual(before);
  });

  it('refuses private key material, keys that are too weak, other curves and encryption keys', async () => {
    const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
    const cases: Array<[string, unknown]> = [
      ['an EC private key', await privateJwk('ES256')],
      ['an RSA private key', await privateJwk('RS256')],
      ['a public key with a stray "d"', await publicJwk('ES256', { d: 'AAAA' })],
      ['RSA of 1024 bits', rsa1024],
      ['EC on P-384', p384],
      ['an encryption key', await publicJwk('ES256', { use: 'enc' })],
      ['an alg that does not fit the key', await publicJwk('ES256', { alg: 'RS256' })],
    ];
    const before = await tableCounts();
    for (const [what, key] of cases) {
      const res = await createOidcClientRequest(url, { customerId, name: 'Shop', redirectUris: ['https://shop.example/cb'], tokenEndpointAuthMethod: 'PRIVATE_KEY_JWT', jwks: jwks(await publicJwk('ES256'), key) });
      expect({ what, extensions: res.errors?.[0]?.extensions }).toMatchObject({ what, extensions: { code: 'BAD_USER_INPUT', field: 'jwks' } });
    }
    expect(await tableCounts()).toEqual(before);
  });

  it('accepts private_key_jwt with EC P-256 and RSA public keys, without a secret', async () => {
    const keys = [await publicJwk('ES256', { kid: 'ec-1', use: 'sig' }), await publicJwk('RS256', { kid: 'rsa-1', alg: 'PS256' })];
    const created = await createOidcClient(url, customerId, { tokenEndpointAuthMethod: 'PRIVATE_KEY_JWT', jwks: jwks(...keys) });
    expect(created.clientSecret).toBeNull();
    expect(created.client.hasSecret).toBe(false);
    expect(JSON.parse(created.client.jwks!)).toEqual({ keys });
  });

  it('refuses a bad change and keeps the client as it was', async () => {
    const created = await createOidcClient(url, customerId);
    const [before] = await ownerSql('select * from oauth_client where id = ?', [created.client.id]);
    for (const [input, field] of [
      [{ redirectUris: ['http://shop.example/cb'] }, 'redirectUris'],
      [{ redirectUris: null }, 'redirectUris'],
      [{ name: null }, 'name'],
      [{ scopes: ['email'] }, 'scopes'],
      // Everything valid but the method's keys: nothing of the rest is kept either.
      [{ name: 'Renamed', tokenEndpointAuthMethod: 'PRIVATE_KEY_JWT' }, 'jwks'],
      [{ name: 'Renamed', jwks: jwks(await privateJwk('ES256')) }, 'jwks'],
    ] as const) {
      const res = await graphql(url, UPDATE, { id: created.client.id, input });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const [after] = await ownerSql('select * from oauth_client where id = ?', [created.client.id]);
    expect(after).toEqual(before);
  });

  it('refuses to drop the keys of a private_key_jwt client', async () => {
    const created = await createOidcClient(url, customerId, { tokenEndpointAuthMethod: 'PRIVATE_KEY_JWT', jwks: jwks(await publicJwk('ES256')) });
    const res = await graphql(url, UPDATE, { id: created.client.id, input: { jwks: null } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'jwks' });
    const [row] = await ownerSql('select jsonb_array_length(jwks->\'keys\') as n from oauth_client where id = ?', [created.client.id]);
    expect(row).toEqual({ n: 1 });
  });
});
