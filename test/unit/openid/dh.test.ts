import { createDiffieHellman, createHash } from 'node:crypto';
import {
  associate,
  base64ToBigInt,
  bigIntToBase64,
  btwoc,
  checkDhPolicy,
  DEFAULT_DH_GENERATOR,
  DEFAULT_DH_MODULUS,
  dhServerResponse,
  generateDhPrivateKey,
  hashSharedSecret,
  InvalidDhParametersError,
  modPow,
  OPENID2_NS,
  OpenIdMessage,
  parseKvForm,
} from '../../../src/openid';
import { FixedClock } from '../../../src/shared/clock';
import { InMemoryAssociationStore } from './support/in-memory-stores';
import { SeededRandom } from './support/random';

const b64 = (text: string): bigint => {
  const value = base64ToBigInt(text);
  if (value === undefined) throw new Error('bad fixture');
  return value;
};

/** PROTOCOL.md §11.4 (python-openid test_dh.py, recomputed with BigInt). */
const vector = {
  xa: 'bVQh4Z81F5e57JCT1pmxADRktpYwIwhNjWkiIjg450sfYZOJ9Ntf4YHBhcBpkPyehdq/XL+yEWbZFig4wh2MdqES0XaOPRVl7ZzsjTNgztKUYE2mhiYQd4KMmB9uLExM72ntwcdZ3/vlb0Fq8DlIx3FhqeaYsKKTsdUW/KbJcS0=',
  consumerPublic:
    'ANMxIwAeRWw5mZD3+DkoX3G6n/tuBGsjfk6R+vBW2zwve0BSlh1F0EsXlQEUuXJ+s1DQ8nFQLPYOLO0mLexXH0bSscvzhBldH+L+fxJfoL9xoTAxk7qqT659QqErhEMtQpBy7hK5L7Qb8R2NAUZ++MPxUNB71IBd6vMG6M6MueXp',
  xb: 'ANxFaZXkCVNESkYKFclilsm7tVIO1CNYy621Y44w19OPk7xE7zEZdttX/KfRSImecPpn+AATLhRZMuXzaq3KDFFTu9NuhSINYml2f7xZd1+lYg6YhWiojfP3YPqLIV9sj/26O1A7pTcq6jajj/8E5P+qkr6+bSQhZ0UlZiBQUyDr',
  serverPublic:
    'MSJTx7cMqUBAcpLCan75t+8OSf3SZUSwivlEUYxMaHbbueKp1u4/7Fdw9sTCN3gA0iFE2dTOJpRUT4TmFomHnyIfBExdcwbkXiQIhsSnBJkGmPuAPkKFFHtB0pKET6bWZolwP5fp4lZOgM+7FIRte5OZd5XEJIN9vBYxo6NaoRc=',
  shared:
    'FHWhX2v2g/twI8mO1HFiI9zgRP6/CBbJ0+13cgpDJvIUypDNcqLHlkGJtjaOJ1ciX+qk2Jf3Zdt5YJDgilVH+Xg7x7WaHXVxXYxu5RTwEuPyFUjO62XT6u11qJ35PvveTDwwAsv6+OspK8FRbqMKIgNuEkmaFDVwr4dKyhZUtNg=',
  macKey: Buffer.from('Rimmer ordered hot gazpacho soup', 'ascii'),
  encMacKey: 'hAYpHzbPvEHs0J2t8KYiqoxsLSmRzGfCQmwMg9taNf0=',
};

const defaults = { modulus: DEFAULT_DH_MODULUS, generator: DEFAULT_DH_GENERATOR };

/** The RP half of §8.4.2, written independently: recover the MAC key from the OP's answer. */
function rpRecoversMacKey(xa: bigint, serverPublic: string, encMacKey: string, hash: 'sha1' | 'sha256'): Buffer {
  const shared = modPow(b64(serverPublic), xa, DEFAULT_DH_MODULUS);
  const mask = createHash(hash).update(btwoc(shared)).digest();
  const enc = Buffer.from(encMacKey, 'base64');
  return Buffer.from(enc.map((byte, i) => byte ^ (mask[i] as number)));
}

describe('DH-SHA256 session, PROTOCOL.md §11.4', () => {
  it('derives the consumer public key from xa (sanity check of the fixture)', () => {
    expect(bigIntToBase64(modPow(DEFAULT_DH_GENERATOR, b64(vector.xa), DEFAULT_DH_MODULUS))).toBe(vector.consumerPublic);
  });

  it('produces the expected dh_server_public and enc_mac_key for the fixed xb', () => {
    const response = dhServerResponse(
      { ...defaults, consumerPublic: b64(vector.consumerPublic) },
      b64(vector.xb),
      'DH-SHA256',
      vector.macKey,
    );
    expect(response.dhServerPublic).toBe(vector.serverPublic);
    expect(response.encMacKey).toBe(vector.encMacKey);
    expect(Buffer.from(vector.serverPublic, 'base64')).toHaveLength(128);
  });

  it('computes the expected shared secret and lets the RP recover the MAC key', () => {
    const shared = modPow(b64(vector.consumerPublic), b64(vector.xb), DEFAULT_DH_MODULUS);
    expect(btwoc(shared).toString('base64')).toBe(vector.shared);
    expect(rpRecoversMacKey(b64(vector.xa), vector.serverPublic, vector.encMacKey, 'sha256')).toEqual(vector.macKey);
  });
});

describe('shared secrets that start with a zero byte (the Node padding trap, PROTOCOL.md §5.3)', () => {
  const xa = b64(vector.xa);
  const consumerPublic = b64(vector.consumerPublic);

  /** Smallest xb ≥ 2 whose secret is shorter than btwoc at the prime length: Node pads it, btwoc does not. */
  function findPaddedCase(): { xb: bigint; shared: bigint } {
    for (let xb = 2n; ; xb += 1n) {
      const shared = modPow(consumerPublic, xb, DEFAULT_DH_MODULUS);
      if (shared < 1n << 1015n) return { xb, shared };
    }
  }

  it('hashes btwoc(secret), which is shorter than the fixed-length form Node returns', () => {
    const { xb, shared } = findPaddedCase();
    expect(btwoc(shared).length).toBeLessThan(128);

    const node = createDiffieHellman(btwoc(DEFAULT_DH_MODULUS), btwoc(DEFAULT_DH_GENERATOR));
    node.setPrivateKey(btwoc(xb));
    const nodeSecret = node.computeSecret(btwoc(consumerPublic));
    expect(nodeSecret[0]).toBe(0);
    expect(createHash('sha256').update(nodeSecret).digest()).not.toEqual(hashSharedSecret(shared, 'DH-SHA256'));

    const macKey = Buffer.alloc(32, 7);
    const response = dhServerResponse({ ...defaults, consumerPublic }, xb, 'DH-SHA256', macKey);
    expect(rpRecoversMacKey(xa, response.dhServerPublic, response.encMacKey, 'sha256')).toEqual(macKey);
  });

  it('prefixes 0x00 when the secret’s top bit is set, and the RP still recovers the key (DH-SHA1)', () => {
    let xb = 2n;
    while (modPow(consumerPublic, xb, DEFAULT_DH_MODULUS) < 1n << 1023n) xb += 1n;
    const shared = modPow(consumerPublic, xb, DEFAULT_DH_MODULUS);
    expect(btwoc(shared)[0]).toBe(0);
    expect(btwoc(shared)).toHaveLength(129);
    const macKey = Buffer.alloc(20, 9);
    const response = dhServerResponse({ ...defaults, consumerPublic }, xb, 'DH-SHA1', macKey);
    expect(rpRecoversMacKey(xa, response.dhServerPublic, response.encMacKey, 'sha1')).toEqual(macKey);
  });
});

describe('DH parameter policy', () => {
  const p = DEFAULT_DH_MODULUS;
  it.each([
    ['a modulus below 1024 bits', { modulus: (1n << 1000n) + 1n, generator: 2n, consumerPublic: 5n }],
    ['a modulus above 4096 bits', { modulus: (1n << 4100n) + 1n, generator: 2n, consumerPublic: 5n }],
    ['an even modulus', { modulus: p + 1n, generator: 2n, consumerPublic: 5n }],
    ['generator 1', { modulus: p, generator: 1n, consumerPublic: 5n }],
    ['generator p-1', { modulus: p, generator: p - 1n, consumerPublic: 5n }],
    ['consumer public 1', { modulus: p, generator: 2n, consumerPublic: 1n }],
    ['consumer public p-1', { modulus: p, generator: 2n, consumerPublic: p - 1n }],
    ['a negative consumer public', { modulus: p, generator: 2n, consumerPublic: -5n }],
  ])('rejects %s', (_label, params) => {
    expect(() => checkDhPolicy(params)).toThrow(InvalidDhParametersError);
  });

  it('accepts the boundary values 2 and p-2 for the consumer public key', () => {
    expect(() => checkDhPolicy({ modulus: p, generator: 2n, consumerPublic: 2n })).not.toThrow();
    expect(() => checkDhPolicy({ modulus: p, generator: 2n, consumerPublic: p - 2n })).not.toThrow();
  });

  it('draws private keys in [2, p-2] from the random source', () => {
    const random = new SeededRandom('xb');
    for (let i = 0; i < 50; i += 1) {
      const xb = generateDhPrivateKey(p, random);
      expect(xb).toBeGreaterThanOrEqual(2n);
      expect(xb).toBeLessThanOrEqual(p - 2n);
    }
    expect(generateDhPrivateKey(p, new SeededRandom('same'))).toBe(generateDhPrivateKey(p, new SeededRandom('same')));
  });
});

describe('an RP-chosen modulus', () => {
  it('is used for the exchange when it passes the policy', async () => {
    // A 1024-bit safe prime other than the default one (RFC 2409 Oakley group 2).
    const oakley2 = BigInt(
      '0xFFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
        'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
        'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF',
    );
    const xa = 123456789123456789n;
    const message = OpenIdMessage.fromParams({
      'openid.ns': OPENID2_NS,
      'openid.mode': 'associate',
      'openid.assoc_type': 'HMAC-SHA256',
      'openid.session_type': 'DH-SHA256',
      'openid.dh_modulus': bigIntToBase64(oakley2),
      'openid.dh_gen': 'Ag==',
      'openid.dh_consumer_public': bigIntToBase64(modPow(2n, xa, oakley2)),
    });
    const store = new InMemoryAssociationStore();
    const response = await associate(message, {
      store,
      clock: new FixedClock(new Date('2024-01-01T00:00:00Z')),
      random: new SeededRandom('oakley'),
      isSecureTransport: false,
    });
    const kv = parseKvForm(response.body, { strict: true });
    const shared = modPow(b64(kv.get('dh_server_public') as string), xa, oakley2);
    const mask = createHash('sha256').update(btwoc(shared)).digest();
    const macKey = Buffer.from(Buffer.from(kv.get('enc_mac_key') as string, 'base64').map((b, i) => b ^ (mask[i] as number)));
    expect(macKey).toEqual([...store.associations.values()][0]?.secret);
  });
});
