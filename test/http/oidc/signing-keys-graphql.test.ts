import { App } from '../../../src/app';
import { createTestCustomer, resetDatabase, startTestApp } from '../../support/app';
import { graphql } from '../../support/graphql';
import { operatorToken } from '../../support/operators';

const FIELDS = 'kid alg status createdAt activatesAt retiresAt expiresAt';
const LIST = `query($c: ID!) { oidcSigningKeys(customerId: $c) { ${FIELDS} } }`;
const ROTATE = `mutation($c: ID!, $alg: IdTokenSigningAlg) { rotateOidcSigningKeys(customerId: $c, alg: $alg) { rotated { ${FIELDS} } keys { ${FIELDS} } } }`;

interface Key {
  kid: string;
  alg: string;
  status: string;
  createdAt: string;
  activatesAt: string;
  retiresAt: string | null;
  expiresAt: string | null;
}

describe('OIDC signing keys over GraphQL', () => {
  let app: App;
  let acme: string;
  let other: string;

  beforeAll(async () => {
    app = await startTestApp({ OIDC_KEY_PUBLISH_SECONDS: '600', OIDC_KEY_RETIRED_SECONDS: '7200' });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    await resetDatabase();
    acme = (await createTestCustomer(app, 'acme')).customer.id;
    other = (await createTestCustomer(app, 'other')).customer.id;
  });

  it('lists and rotates a customer\'s keys on the configured schedule', async () => {
    expect((await graphql<{ oidcSigningKeys: Key[] }>(app.url!, LIST, { c: acme })).data!.oidcSigningKeys).toEqual([]);
    const first = await graphql<{ rotateOidcSigningKeys: { rotated: Key[]; keys: Key[] } }>(app.url!, ROTATE, { c: acme });
    expect(first.errors).toBeUndefined();
    // No key yet: nothing to wait for, both sign at once.
    expect(first.data!.rotateOidcSigningKeys.rotated.map((k) => [k.alg, k.status]).sort()).toEqual([['ES256', 'ACTIVE'], ['RS256', 'ACTIVE']]);

    const second = await graphql<{ rotateOidcSigningKeys: { rotated: Key[]; keys: Key[] } }>(app.url!, ROTATE, { c: acme, alg: 'ES256' });
    const [made] = second.data!.rotateOidcSigningKeys.rotated;
    expect(made).toMatchObject({ alg: 'ES256', status: 'PUBLISHED', retiresAt: null, expiresAt: null });
    expect(Date.parse(made!.activatesAt) - Date.parse(made!.createdAt)).toBe(600_000);
    const listed = (await graphql<{ oidcSigningKeys: Key[] }>(app.url!, LIST, { c: acme })).data!.oidcSigningKeys;
    expect(listed).toEqual(second.data!.rotateOidcSigningKeys.keys);
    const replaced = listed.find((k) => k.alg === 'ES256' && k.kid !== made!.kid)!;
    expect(replaced).toMatchObject({ status: 'ACTIVE', retiresAt: made!.activatesAt });
    expect(Date.parse(replaced.expiresAt!) - Date.parse(made!.activatesAt)).toBe(7_200_000);
    expect(listed.filter((k) => k.alg === 'RS256')).toHaveLength(1);
    // The JWKS the lead's route serves publishes the same keys.
    expect((await app.services.oidcKeys.jwks(acme)).keys.map((k) => k.kid).sort()).toEqual(listed.map((k) => k.kid).sort());
  });

  it('reads with customers:read, rotates only with customers:write, and only the caller\'s own customer', async () => {
    const viewer = await operatorToken(app, 'VIEWER', acme);
    expect((await graphql(app.url!, LIST, { c: acme }, viewer)).errors).toBeUndefined();
    const refused = await graphql(app.url!, ROTATE, { c: acme }, viewer);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const otherAdmin = await operatorToken(app, 'ADMIN', other);
    expect((await graphql(app.url!, ROTATE, { c: acme }, otherAdmin)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await graphql(app.url!, LIST, { c: acme }, otherAdmin)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await graphql<{ oidcSigningKeys: Key[] }>(app.url!, LIST, { c: acme })).data!.oidcSigningKeys).toEqual([]);

    const admin = await operatorToken(app, 'ADMIN', acme);
    const rotated = await graphql<{ rotateOidcSigningKeys: { rotated: Key[] } }>(app.url!, ROTATE, { c: acme, alg: 'RS256' }, admin);
    expect(rotated.data!.rotateOidcSigningKeys.rotated.map((k) => k.alg)).toEqual(['RS256']);
  });

  it('exposes dates and status only, never key material', async () => {
    const res = await graphql<{ __type: { fields: Array<{ name: string }> } }>(app.url!, `{ __type(name: "OidcSigningKey") { fields { name } } }`);
    expect(res.data!.__type.fields.map((f) => f.name).sort()).toEqual(['activatesAt', 'alg', 'createdAt', 'expiresAt', 'kid', 'retiresAt', 'status']);
  });
});
