import { createLocalJWKSet, decodeProtectedHeader, JWK, jwtVerify, SignJWT } from 'jose';
import { App } from '../../../src/app';
import { openText } from '../../../src/keys';
import { OidcSigningKeys, privateJwkAad } from '../../../src/oidc-provider/signing-keys.service';
import { FixedClock } from '../../../src/shared/clock';
import { changesDelivered, createTestCustomer, ownerSql, resetDatabase, startTestApp } from '../../support/app';

const ISSUER = 'http://127.0.0.1:3000/c/acme';
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

describe('OidcSigningKeys', () => {
  const clock = new FixedClock(new Date());
  let app: App;
  let customerId: string;
  let n = 0;

  beforeAll(async () => {
    app = await startTestApp({}, { clock });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    await resetDatabase();
    app.services.oidcKeys.forgetAll();
    clock.set(new Date());
    customerId = (await createTestCustomer(app, `c${n++}`)).customer.id;
  });

  /** Another instance of the service: its own cache, the same database. */
  const instance = () =>
    new OidcSigningKeys({
      db: app.db,
      em: app.orm.em,
      keys: app.services.keys,
      clock,
      audit: app.services.audit,
      rotation: { publishSeconds: 3600, retiredSeconds: 86400 },
      cacheMaxAgeMs: 60_000,
    });
  const rows = (id = customerId): Promise<Array<{ id: string; kid: string; alg: string; public_jwk: JWK; private_jwk: string }>> =>
    ownerSql('select id, kid, alg, public_jwk, private_jwk from oidc_signing_key where customer_id = ? order by created_at, id', [id]);
  const claims = () => {
    const iat = Math.floor(clock.now().getTime() / 1000);
    return { iss: ISSUER, sub: 'alice', aud: 'rp', iat, exp: iat + 300 };
  };

  it.each(['ES256', 'RS256'] as const)('signs with a %s key made on first use, which verifies with the published JWKS', async (alg) => {
    const keys = app.services.oidcKeys;
    const jws = await keys.sign(customerId, alg, claims());
    const header = decodeProtectedHeader(jws);
    const [row] = (await rows()).filter((r) => r.alg === alg);
    expect(header).toEqual({ alg, kid: row!.kid, typ: 'JWT' });
    const { payload, protectedHeader } = await jwtVerify(jws, createLocalJWKSet(await keys.jwks(customerId)), { issuer: ISSUER, audience: 'rp', currentDate: clock.now() });
    expect(payload.sub).toBe('alice');
    expect(protectedHeader.kid).toBe(row!.kid);
    // The same key again: made once, then read from memory.
    expect(decodeProtectedHeader(await keys.sign(customerId, alg, claims())).kid).toBe(row!.kid);
    expect((await rows()).filter((r) => r.alg === alg)).toHaveLength(1);
  });

  it('puts the given typ in the header', async () => {
    const jws = await app.services.oidcKeys.sign(customerId, 'ES256', claims(), 'logout+jwt');
    expect(decodeProtectedHeader(jws).typ).toBe('logout+jwt');
  });

  it('stores the private key sealed under the customer data key, bound to its row', async () => {
    await app.services.oidcKeys.sign(customerId, 'ES256', claims());
    await app.services.oidcKeys.sign(customerId, 'RS256', claims());
    const stored = await rows();
    expect(stored).toHaveLength(2);
    const customerKey = (await app.services.keys.customer(customerId)).key;
    for (const row of stored) {
      expect(row.private_jwk.startsWith('ef1.')).toBe(true);
      expect(row.private_jwk).not.toContain('"d"');
      for (const member of PRIVATE_MEMBERS) expect(row.public_jwk).not.toHaveProperty(member);
      const opened = JSON.parse(openText(customerKey, privateJwkAad(row.id), row.private_jwk)) as JWK;
      expect(opened).toMatchObject({ kid: row.kid, alg: row.alg, d: expect.any(String) });
      // Bound to its row: another row's id does not open it.
      const other = stored.find((r) => r.id !== row.id)!;
      expect(() => openText(customerKey, privateJwkAad(other.id), row.private_jwk)).toThrow();
    }
  });

  it('publishes keys of both algorithms, public members only, and makes them on first read of the JWKS', async () => {
    const { keys } = await app.services.oidcKeys.jwks(customerId);
    expect(keys.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    for (const key of keys) {
      for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
      expect(key.use).toBe('sig');
      expect(Object.keys(key).sort()).toEqual(key.kty === 'EC' ? ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'] : ['alg', 'e', 'kid', 'kty', 'n', 'use']);
    }
    expect((await rows()).map((r) => r.kid).sort()).toEqual(keys.map((k) => k.kid).sort());
    // The keys the JWKS promised are the ones that sign.
    const jws = await app.services.oidcKeys.sign(customerId, 'RS256', claims());
    expect(keys.map((k) => k.kid)).toContain(decodeProtectedHeader(jws).kid);
  });

  it('makes one key when several instances meet the first use at once', async () => {
    const instances = [instance(), instance(), instance(), instance()];
    const signed = await Promise.all(instances.flatMap((keys) => [keys.sign(customerId, 'ES256', claims()), keys.sign(customerId, 'ES256', claims())]));
    const stored = await rows();
    expect(stored).toHaveLength(1);
    expect(new Set(signed.map((jws) => decodeProtectedHeader(jws).kid))).toEqual(new Set([stored[0]!.kid]));
  });

  it('keeps customers apart: one customer\'s keys neither sign nor verify for another', async () => {
    const other = (await createTestCustomer(app, `c${n++}`)).customer.id;
    const keys = app.services.oidcKeys;
    const mine = await keys.sign(customerId, 'ES256', claims());
    const theirs = await keys.sign(other, 'ES256', claims());
    expect(decodeProtectedHeader(mine).kid).not.toBe(decodeProtectedHeader(theirs).kid);
    expect((await keys.jwks(customerId)).keys.map((k) => k.kid)).not.toContain(decodeProtectedHeader(theirs).kid);
    expect(await keys.verifyOwn(customerId, theirs, { issuer: ISSUER, allowExpired: false })).toBeNull();
    expect(await keys.verifyOwn(customerId, mine, { issuer: ISSUER, allowExpired: false })).toMatchObject({ sub: 'alice' });
  });

  describe('verifyOwn', () => {
    it('answers the payload of its own token, checks the issuer, and refuses tampering', async () => {
      const keys = app.services.oidcKeys;
      const jws = await keys.sign(customerId, 'RS256', claims());
      expect(await keys.verifyOwn(customerId, jws, { issuer: ISSUER, allowExpired: false })).toMatchObject({ iss: ISSUER, sub: 'alice' });
      expect(await keys.verifyOwn(customerId, jws, { issuer: `${ISSUER}x`, allowExpired: true })).toBeNull();
      const [h, p, s] = jws.split('.');
      const forged = Buffer.from(JSON.stringify({ ...claims(), sub: 'mallory' })).toString('base64url');
      expect(await keys.verifyOwn(customerId, `${h}.${forged}.${s}`, { issuer: ISSUER, allowExpired: true })).toBeNull();
      expect(await keys.verifyOwn(customerId, `${h}.${p}.${s!.slice(0, -4)}AAAA`, { issuer: ISSUER, allowExpired: true })).toBeNull();
      expect(await keys.verifyOwn(customerId, 'not a jws', { issuer: ISSUER, allowExpired: true })).toBeNull();
    });

    it('accepts an expired token of its own only when told to, still checking the issuer', async () => {
      const keys = app.services.oidcKeys;
      const jws = await keys.sign(customerId, 'ES256', claims());
      clock.advance(3600 * 1000);
      expect(await keys.verifyOwn(customerId, jws, { issuer: ISSUER, allowExpired: false })).toBeNull();
      expect(await keys.verifyOwn(customerId, jws, { issuer: ISSUER, allowExpired: true })).toMatchObject({ sub: 'alice' });
      expect(await keys.verifyOwn(customerId, jws, { issuer: 'https://elsewhere.example', allowExpired: true })).toBeNull();
    });

    it('refuses a token signed by a key it does not publish, even with a kid it knows', async () => {
      const keys = app.services.oidcKeys;
      const { kid } = decodeProtectedHeader(await keys.sign(customerId, 'ES256', claims()));
      const { generateKeyPair } = await import('jose');
      const stranger = await generateKeyPair('ES256');
      const forged = await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid }).sign(stranger.privateKey);
      expect(await keys.verifyOwn(customerId, forged, { issuer: ISSUER, allowExpired: true })).toBeNull();
    });
  });

  it('forgets a customer\'s keys when the change feed says they changed', async () => {
    const keys = app.services.oidcKeys;
    const first = decodeProtectedHeader(await keys.sign(customerId, 'ES256', claims())).kid;
    await changesDelivered(app);
    // Gone from the database (as a purge or another instance's change would do): every instance hears of it.
    await ownerSql('delete from oidc_signing_key where customer_id = ?', [customerId]);
    await changesDelivered(app);
    const second = decodeProtectedHeader(await keys.sign(customerId, 'ES256', claims())).kid;
    expect(second).not.toBe(first);
    expect((await rows()).map((r) => r.kid)).toEqual([second]);
  });
});
