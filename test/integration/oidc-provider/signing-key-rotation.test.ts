import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { App } from '../../../src/app';
import { CustomerNotFoundError } from '../../../src/customers';
import { OidcSigningKeys } from '../../../src/oidc-provider/signing-keys.service';
import { createLogger } from '../../../src/shared/logger';
import { customerTenant, PLATFORM } from '../../../src/shared/tenant';
import { SteppedClock } from '../../support/clock';
import { createTestCustomer, inContext, ownerSql, resetDatabase, startTestApp, tableCounts } from '../../support/app';

const ISSUER = 'http://127.0.0.1:3000/c/acme';
const PUBLISH_S = 3600;
const RETIRED_S = 86400;
const SECOND = 1000;

describe('OIDC signing key rotation', () => {
  const clock = new SteppedClock();
  let app: App;
  let customerId: string;
  let n = 0;

  beforeAll(async () => {
    app = await startTestApp({ OIDC_KEY_PUBLISH_SECONDS: String(PUBLISH_S), OIDC_KEY_RETIRED_SECONDS: String(RETIRED_S) }, { clock });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    await resetDatabase();
    clock.reset();
    app.services.oidcKeys.forgetAll();
    customerId = (await createTestCustomer(app, `c${n++}`)).customer.id;
  });

  const keys = () => app.services.oidcKeys;
  const kidOf = (jws: string) => decodeProtectedHeader(jws).kid;
  const claims = () => {
    const iat = Math.floor(clock.now().getTime() / 1000);
    return { iss: ISSUER, sub: 'alice', aud: 'rp', iat, exp: iat + 600 };
  };
  const published = async () => (await keys().jwks(customerId)).keys.map((k) => k.kid);
  const rotate = (alg?: 'ES256' | 'RS256', service: OidcSigningKeys = keys()) => inContext(app, () => service.rotate(customerId, PLATFORM, alg));
  const statuses = async () => Object.fromEntries((await inContext(app, () => keys().list(customerId, PLATFORM))).map((k) => [k.kid, k.status]));

  it('publishes the new key before it signs; the old one verifies until it expires, then leaves the JWKS', async () => {
    const old = await keys().sign(customerId, 'ES256', claims());
    const a = kidOf(old);
    const [b] = await rotate('ES256');
    expect(b).toMatchObject({ alg: 'ES256', status: 'PUBLISHED' });
    expect(b!.activatesAt.getTime() - b!.createdAt.getTime()).toBe(PUBLISH_S * SECOND);

    // Published now, signing later: a relying party that fetched the JWKS now already holds it.
    expect(await published()).toEqual(expect.arrayContaining([a, b!.kid]));
    expect(kidOf(await keys().sign(customerId, 'ES256', claims()))).toBe(a);
    expect(await statuses()).toMatchObject({ [a!]: 'ACTIVE', [b!.kid]: 'PUBLISHED' });

    clock.advance((PUBLISH_S + 1) * SECOND);
    const fresh = await keys().sign(customerId, 'ES256', claims());
    expect(kidOf(fresh)).toBe(b!.kid);
    expect(await statuses()).toMatchObject({ [a!]: 'RETIRED', [b!.kid]: 'ACTIVE' });
    // The retired key is still published: what it signed verifies, at an RP and as our own id_token_hint.
    expect(await published()).toEqual(expect.arrayContaining([a, b!.kid]));
    await expect(jwtVerify(old, createLocalJWKSet(await keys().jwks(customerId)), { currentDate: new Date(clock.now().getTime() - PUBLISH_S * SECOND) })).resolves.toBeDefined();
    expect(await keys().verifyOwn(customerId, old, { issuer: ISSUER, allowExpired: true })).toMatchObject({ sub: 'alice' });

    clock.advance(RETIRED_S * SECOND);
    expect(await published()).not.toContain(a);
    expect(await published()).toContain(b!.kid);
    expect(await keys().verifyOwn(customerId, old, { issuer: ISSUER, allowExpired: true })).toBeNull();
    expect(await keys().verifyOwn(customerId, fresh, { issuer: ISSUER, allowExpired: true })).toMatchObject({ sub: 'alice' });
    expect(Object.keys(await statuses())).not.toContain(a);
  });

  it('follows the schedule by the clock from the cached key set, without reading the keys again', async () => {
    const instance = new OidcSigningKeys({
      db: app.db,
      em: app.orm.em,
      keys: app.services.keys,
      clock,
      audit: app.services.audit,
      rotation: { publishSeconds: PUBLISH_S, retiredSeconds: RETIRED_S },
      cacheMaxAgeMs: 365 * 24 * 3600 * SECOND,
    });
    await instance.jwks(customerId);
    const a = kidOf(await instance.sign(customerId, 'RS256', claims()));
    const [b] = await rotate('RS256', instance);
    expect(kidOf(await instance.sign(customerId, 'RS256', claims()))).toBe(a);
    // The rows are gone, and this instance (on no change feed) is not told: only its memory answers now.
    await ownerSql('delete from oidc_signing_key where customer_id = ?', [customerId]);
    clock.advance((PUBLISH_S + 1) * SECOND);
    expect(kidOf(await instance.sign(customerId, 'RS256', claims()))).toBe(b!.kid);
    expect((await instance.jwks(customerId)).keys.map((k) => k.kid)).toEqual(expect.arrayContaining([a, b!.kid]));
    clock.advance(RETIRED_S * SECOND);
    expect((await instance.jwks(customerId)).keys.map((k) => k.kid)).not.toContain(a);
  });

  it('rotates both algorithms when none is named, and audits each rotation by kid only', async () => {
    const before = (await keys().jwks(customerId)).keys;
    const made = await rotate();
    expect(made.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    expect(made.every((k) => k.status === 'PUBLISHED')).toBe(true);
    const events: Array<{ target_type: string; details: Record<string, unknown> }> = await ownerSql(
      `select target_type, details from audit_outbox where action = 'oidc_signing_key.rotated' and customer_id = ? order by id`,
      [customerId],
    );
    expect(events.map((e) => e.target_type)).toEqual(['oidc_signing_key', 'oidc_signing_key']);
    for (const event of events) {
      const key = made.find((k) => k.kid === event.details.kid)!;
      const retired = before.filter((k) => k.alg === key.alg).map((k) => k.kid);
      expect(event.details).toEqual({ kid: key.kid, alg: key.alg, activatesAt: key.activatesAt.toISOString(), retiredKids: retired });
    }
  });

  it('gives a customer without keys a key that signs at once', async () => {
    const [made] = await rotate('ES256');
    expect(made).toMatchObject({ status: 'ACTIVE', retiresAt: null, expiresAt: null });
    expect(made!.activatesAt).toEqual(made!.createdAt);
    expect(kidOf(await keys().sign(customerId, 'ES256', claims()))).toBe(made!.kid);
  });

  it('refuses another customer\'s caller, and an unknown customer, writing nothing', async () => {
    const other = (await createTestCustomer(app, `c${n++}`)).customer.id;
    const counts = await tableCounts();
    await expect(inContext(app, () => keys().rotate(customerId, customerTenant(other)))).rejects.toBeInstanceOf(CustomerNotFoundError);
    await expect(inContext(app, () => keys().list(customerId, customerTenant(other)))).rejects.toBeInstanceOf(CustomerNotFoundError);
    await expect(inContext(app, () => keys().rotate('00000000-0000-4000-8000-000000000000', PLATFORM))).rejects.toBeInstanceOf(CustomerNotFoundError);
    await expect(inContext(app, () => keys().rotate('not-a-uuid', PLATFORM))).rejects.toBeInstanceOf(CustomerNotFoundError);
    expect(await tableCounts()).toEqual(counts);
  });

  it('is purged once expired, and only then', async () => {
    const a = kidOf(await keys().sign(customerId, 'ES256', claims()));
    const [b] = await rotate('ES256');
    const purge = async () => {
      await app.services.retention.purgeExpired(createLogger('silent'));
      return (await ownerSql('select kid from oidc_signing_key where customer_id = ? order by created_at', [customerId])).map((r: { kid: string }) => r.kid);
    };
    clock.advance((PUBLISH_S + RETIRED_S - 5) * SECOND);
    expect(await purge()).toEqual([a, b!.kid]);
    clock.advance(10 * SECOND);
    expect(await purge()).toEqual([b!.kid]);
  });
});
