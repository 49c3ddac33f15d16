import { createDiffieHellman, createHash, getDiffieHellman } from 'node:crypto';
import {
  associate,
  base64ToBigInt,
  bigIntToBase64,
  btwoc,
  checkConsumerPublic,
  DEFAULT_DH_GENERATOR,
  DEFAULT_DH_GROUP,
  DEFAULT_DH_MODULUS,
  dhServerResponse,
  findDhGroup,
  generateDhPrivateKey,
  hashSharedSecret,
  InvalidDhParametersError,
  OPENID2_NS,
  OpenIdMessage,
  parseKvForm,
  readDhConsumerParams,
  UnsupportedAssociationTypeError,
} from '../../../src/openid';
import { FixedClock } from '../../../src/shared/clock';
import { modPow } from '../../support/mod-pow';
import { InMemoryAssociationStore } from './support/in-memory-stores';
import { SeededRandom } from './support/random';

const b64 = (text: string): bigint => {
  const value = base64ToBigInt(text);
  if (value === undefined) throw new Error('bad fixture');
  return value;
};

/** docs/protocol.md#vectors-dh (python-openid test_dh.py, recomputed with BigInt). */
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

const defaults = { group: DEFAULT_DH_GROUP };

/** The RP half of §8.4.2, written independently: recover the MAC key from the OP's answer. */
function rpRecoversMacKey(xa: bigint, serverPublic: string, encMacKey: string, hash: 'sha1' | 'sha256'): Buffer {
  const shared = modPow(b64(serverPublic), xa, DEFAULT_DH_MODULUS);
  const mask = createHash(hash).update(btwoc(shared)).digest();
  const enc = Buffer.from(encMacKey, 'base64');
  return Buffer.from(enc.map((byte, i) => byte ^ (mask[i] as number)));
}

describe('DH-SHA256 session, docs/protocol.md#vectors-dh', () => {
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

describe('shared secrets that start with a zero byte (the Node padding trap, docs/protocol.md#associations)', () => {
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

describe('consumer public key (1 < y < p-1)', () => {
  const p = DEFAULT_DH_MODULUS;
  it.each([
    ['0', 0n],
    ['1', 1n],
    ['p-1', p - 1n],
    ['p', p],
    ['p+5', p + 5n],
    ['a negative number', -5n],
  ])('refuses %s with a plain error', (_label, consumerPublic) => {
    expect(() => checkConsumerPublic(DEFAULT_DH_GROUP, consumerPublic)).toThrow(InvalidDhParametersError);
    expect(() => checkConsumerPublic(DEFAULT_DH_GROUP, consumerPublic)).toThrow('openid.dh_consumer_public must satisfy 1 < key < p-1');
  });

  it('accepts the boundary values 2 and p-2', () => {
    expect(() => checkConsumerPublic(DEFAULT_DH_GROUP, 2n)).not.toThrow();
    expect(() => checkConsumerPublic(DEFAULT_DH_GROUP, p - 2n)).not.toThrow();
  });

  it('draws private keys in [2, p-2] from the random source', () => {
    const random = new SeededRandom('xb');
    for (let i = 0; i < 50; i += 1) {
      const xb = generateDhPrivateKey(DEFAULT_DH_GROUP, random);
      expect(xb).toBeGreaterThanOrEqual(2n);
      expect(xb).toBeLessThanOrEqual(p - 2n);
    }
    expect(generateDhPrivateKey(DEFAULT_DH_GROUP, new SeededRandom('same'))).toBe(generateDhPrivateKey(DEFAULT_DH_GROUP, new SeededRandom('same')));
  });
});

/** RFC 2409 group 2 and the RFC 3526 groups, from Node's own table. */
const MODP = Object.fromEntries(
  (['modp2', 'modp5', 'modp14', 'modp15', 'modp16'] as const).map((name) => [name, BigInt(`0x${getDiffieHellman(name).getPrime('hex')}`)]),
) as Record<'modp2' | 'modp5' | 'modp14' | 'modp15' | 'modp16', bigint>;

function dhRequest(fields: Record<string, string>): OpenIdMessage {
  const params: Record<string, string> = { 'openid.ns': OPENID2_NS, 'openid.mode': 'associate', 'openid.assoc_type': 'HMAC-SHA256', 'openid.session_type': 'DH-SHA256' };
  for (const [key, value] of Object.entries(fields)) params[`openid.${key}`] = value;
  return OpenIdMessage.fromParams(params);
}

/** Unsigned big-endian base64: what an RP gets if it forgets btwoc's leading zero byte. */
const unsignedBase64 = (n: bigint) => Buffer.from(n.toString(16).padStart(Math.ceil(n.toString(16).length / 2) * 2, '0'), 'hex').toString('base64');

describe('Diffie-Hellman groups we serve', () => {
  it('uses the Appendix B group when the RP sends neither dh_modulus nor dh_gen', () => {
    expect(readDhConsumerParams(dhRequest({ dh_consumer_public: 'Ag==' })).group).toBe(DEFAULT_DH_GROUP);
    expect(readDhConsumerParams(dhRequest({ dh_consumer_public: 'Ag==', dh_gen: 'Ag==' })).group).toBe(DEFAULT_DH_GROUP);
    expect(readDhConsumerParams(dhRequest({ dh_consumer_public: 'Ag==', dh_modulus: bigIntToBase64(DEFAULT_DH_MODULUS) })).group).toBe(DEFAULT_DH_GROUP);
  });

  it.each(Object.entries(MODP))('recognises %s by its exact modulus, btwoc or unsigned, with generator 2', (name, prime) => {
    for (const encoded of [bigIntToBase64(prime), unsignedBase64(prime)]) {
      const params = readDhConsumerParams(dhRequest({ dh_modulus: encoded, dh_gen: 'Ag==', dh_consumer_public: 'Ag==' }));
      expect(params.group).toMatchObject({ name, modulus: prime, generator: 2n });
    }
    // dh_gen defaults to 2 on its own (§8.1.2).
    expect(readDhConsumerParams(dhRequest({ dh_modulus: bigIntToBase64(prime), dh_consumer_public: 'Ag==' })).group.name).toBe(name);
  });

  it.each([
    ['a random odd 4096-bit number', BigInt(`0x${'f'.repeat(8)}${'3b'.repeat(508)}`) | 1n, 2n],
    ['the default prime plus two', DEFAULT_DH_MODULUS + 2n, 2n],
    ['a known prime off by two', MODP.modp14 - 2n, 2n],
    ['a small prime', 23n, 2n],
    ['the default prime with generator 5', DEFAULT_DH_MODULUS, 5n],
    ['modp14 with generator 3', MODP.modp14, 3n],
    ['modp14 with generator p-1', MODP.modp14, MODP.modp14 - 1n],
  ])('answers %s with unsupported-type suggesting DH-SHA256 / HMAC-SHA256', (_label, modulus, generator) => {
    let thrown: unknown;
    try {
      readDhConsumerParams(dhRequest({ dh_modulus: bigIntToBase64(modulus), dh_gen: bigIntToBase64(generator), dh_consumer_public: 'Ag==' }));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(UnsupportedAssociationTypeError);
    expect(thrown).toMatchObject({ suggestedSessionType: 'DH-SHA256', suggestedAssocType: 'HMAC-SHA256' });
  });

  it('refuses a public key outside 1 < y < p-1 of the chosen group with a plain error, not unsupported-type', () => {
    const modulus = bigIntToBase64(MODP.modp14);
    for (const y of [1n, MODP.modp14 - 1n, MODP.modp14]) {
      expect(() => readDhConsumerParams(dhRequest({ dh_modulus: modulus, dh_consumer_public: bigIntToBase64(y) }))).toThrow(InvalidDhParametersError);
    }
    expect(() => readDhConsumerParams(dhRequest({ dh_consumer_public: bigIntToBase64(DEFAULT_DH_MODULUS - 1n) }))).toThrow(InvalidDhParametersError);
  });

  it('finds no group for an empty or zero modulus', () => {
    expect(findDhGroup(Buffer.alloc(0), Buffer.from([2]))).toBeUndefined();
    expect(findDhGroup(Buffer.alloc(128), Buffer.from([2]))).toBeUndefined();
    expect(findDhGroup(btwoc(DEFAULT_DH_MODULUS), Buffer.from([0, 0, 2]))).toBe(DEFAULT_DH_GROUP);
  });
});

describe('an RP-chosen well-known group', () => {
  it.each(Object.entries(MODP))('is used for the exchange with %s, and the RP recovers the MAC key', async (name, prime) => {
    const xa = 123456789123456789n;
    const message = dhRequest({
      dh_modulus: bigIntToBase64(prime),
      dh_gen: 'Ag==',
      dh_consumer_public: bigIntToBase64(modPow(2n, xa, prime)),
    });
    const store = new InMemoryAssociationStore();
    const response = await associate(message, {
      store,
      clock: new FixedClock(new Date('2024-01-01T00:00:00Z')),
      random: new SeededRandom(name),
      isSecureTransport: false,
    });
    const kv = parseKvForm(response.body, { strict: true });
    const serverPublic = b64(kv.get('dh_server_public') as string);
    expect(serverPublic).toBeGreaterThan(1n);
    expect(serverPublic).toBeLessThan(prime - 1n);
    const shared = modPow(serverPublic, xa, prime);
    const mask = createHash('sha256').update(btwoc(shared)).digest();
    const macKey = Buffer.from(Buffer.from(kv.get('enc_mac_key') as string, 'base64').map((b, i) => b ^ (mask[i] as number)));
    expect(macKey).toEqual([...store.associations.values()][0]?.secret);
  });
});
