import { createDiffieHellman, createHash } from 'node:crypto';
import {
  associate,
  base64ToBigInt,
  bigIntToBase64,
  btwoc,
  DEFAULT_DH_GENERATOR,
  DEFAULT_DH_MODULUS,
  directErrorResponse,
  InvalidDhParametersError,
  MalformedMessageError,
  OPENID2_NS,
  OpenIdError,
  OpenIdMessage,
  parseKvForm,
  UnknownSessionTypeError,
  UnsupportedAssociationTypeError,
  type AssociateOptions,
} from '../../../src/openid';
import { FixedClock } from '../../../src/shared/clock';
import { modPow } from '../../support/mod-pow';
import { InMemoryAssociationStore } from './support/in-memory-stores';
import { ScriptedRandom, SeededRandom } from './support/random';

const xa = 0x1234567890abcdef1234567890abcdefn;
const consumerPublic = bigIntToBase64(modPow(DEFAULT_DH_GENERATOR, xa, DEFAULT_DH_MODULUS));
const now = new Date('2024-01-01T00:00:00Z');

function request(fields: Record<string, string>): OpenIdMessage {
  const params: Record<string, string> = { 'openid.ns': OPENID2_NS, 'openid.mode': 'associate' };
  for (const [key, value] of Object.entries(fields)) params[`openid.${key}`] = value;
  return OpenIdMessage.fromParams(params);
}

function options(overrides: Partial<AssociateOptions> = {}): AssociateOptions & { store: InMemoryAssociationStore } {
  return {
    store: new InMemoryAssociationStore(),
    clock: new FixedClock(now),
    random: new SeededRandom('associate'),
    isSecureTransport: true,
    ...overrides,
  } as AssociateOptions & { store: InMemoryAssociationStore };
}

function rpMacKey(kv: Map<string, string>, hash: 'sha1' | 'sha256'): Buffer {
  const serverPublic = base64ToBigInt(kv.get('dh_server_public') as string) as bigint;
  const mask = createHash(hash).update(btwoc(modPow(serverPublic, xa, DEFAULT_DH_MODULUS))).digest();
  return Buffer.from(Buffer.from(kv.get('enc_mac_key') as string, 'base64').map((b, i) => b ^ (mask[i] as number)));
}

/** How the npm `openid` RP does it: Node's zero-padded computeSecret, a 0x00 only for a set top bit. */
function nodeStyleRpMacKey(kv: Map<string, string>): Buffer {
  const dh = createDiffieHellman(btwoc(DEFAULT_DH_MODULUS), btwoc(DEFAULT_DH_GENERATOR));
  dh.setPrivateKey(btwoc(xa));
  let secret = dh.computeSecret(Buffer.from(kv.get('dh_server_public') as string, 'base64'));
  if ((secret[0] as number) > 127) secret = Buffer.concat([Buffer.from([0]), secret]);
  const mask = createHash('sha256').update(secret).digest();
  return Buffer.from(Buffer.from(kv.get('enc_mac_key') as string, 'base64').map((b, i) => b ^ (mask[i] as number)));
}

describe('associate: supported combinations (§8, docs/protocol.md#associations)', () => {
  it.each([
    ['DH-SHA256', 'HMAC-SHA256', 'sha256', 32],
    ['DH-SHA1', 'HMAC-SHA1', 'sha1', 20],
  ] as const)('answers %s / %s with a masked key the RP can unmask, and stores a shared association', async (sessionType, assocType, hash, keyLength) => {
    const opts = options({ isSecureTransport: false, sharedLifetimeSeconds: 3600 });
    const response = await associate(
      request({ session_type: sessionType, assoc_type: assocType, dh_consumer_public: consumerPublic }),
      opts,
    );
    expect(response.status).toBe(200);
    expect(response.contentType).toBe('text/plain; charset=utf-8');
    const kv = parseKvForm(response.body, { strict: true });
    expect(kv.get('ns')).toBe(OPENID2_NS);
    expect(kv.get('session_type')).toBe(sessionType);
    expect(kv.get('assoc_type')).toBe(assocType);
    expect(kv.get('expires_in')).toBe('3600');
    expect(kv.has('mac_key')).toBe(false);

    const stored = opts.store.associations.get(kv.get('assoc_handle') as string);
    expect(stored).toMatchObject({ assocType, isPrivate: false, issuedAt: now, expiresAt: new Date(now.getTime() + 3600_000) });
    expect(stored?.secret).toHaveLength(keyLength);
    expect(rpMacKey(kv, hash)).toEqual(stored?.secret);
  });

  it('names handles {type}{hex unix time}{base64 of 12 random bytes}', async () => {
    const opts = options();
    const response = await associate(request({ session_type: 'DH-SHA256', assoc_type: 'HMAC-SHA256', dh_consumer_public: consumerPublic }), opts);
    const handle = parseKvForm(response.body).get('assoc_handle') as string;
    expect(handle).toMatch(/^\{HMAC-SHA256\}\{65920080\}\{[A-Za-z0-9+/]{16}\}$/);
  });

  it.each(['HMAC-SHA1', 'HMAC-SHA256'])('sends the %s key in clear for no-encryption over HTTPS', async (assocType) => {
    const opts = options({ isSecureTransport: true });
    const response = await associate(request({ session_type: 'no-encryption', assoc_type: assocType }), opts);
    const kv = parseKvForm(response.body, { strict: true });
    expect(kv.get('session_type')).toBe('no-encryption');
    expect(Buffer.from(kv.get('mac_key') as string, 'base64')).toEqual(opts.store.associations.get(kv.get('assoc_handle') as string)?.secret);
    expect(kv.get('expires_in')).toBe(String(14 * 24 * 3600));
  });

  it('draws xb again when the secret would be shorter than the modulus, so Node-padding RPs agree too', async () => {
    const publicA = modPow(DEFAULT_DH_GENERATOR, xa, DEFAULT_DH_MODULUS);
    const keyBytes = (xb: bigint) => Buffer.from((xb - 2n).toString(16).padStart(136 * 2, '0'), 'hex');
    let shortXb = 2n;
    while (modPow(publicA, shortXb, DEFAULT_DH_MODULUS) >= 1n << 1015n) shortXb += 1n;
    let fineXb = shortXb + 1n;
    while (modPow(publicA, fineXb, DEFAULT_DH_MODULUS) < 1n << 1015n) fineXb += 1n;
    expect(btwoc(modPow(publicA, shortXb, DEFAULT_DH_MODULUS)).length).toBeLessThan(128);

    const secret = Buffer.alloc(32, 0x5a);
    const random = new ScriptedRandom([Buffer.alloc(12, 1), secret, keyBytes(shortXb), keyBytes(fineXb)]);
    const response = await associate(
      request({ session_type: 'DH-SHA256', assoc_type: 'HMAC-SHA256', dh_consumer_public: consumerPublic }),
      options({ random }),
    );
    const kv = parseKvForm(response.body);
    expect(kv.get('dh_server_public')).toBe(bigIntToBase64(modPow(DEFAULT_DH_GENERATOR, fineXb, DEFAULT_DH_MODULUS)));
    expect(rpMacKey(kv, 'sha256')).toEqual(secret);
    expect(nodeStyleRpMacKey(kv)).toEqual(secret);
  });
});

describe('associate: refusals', () => {
  async function refusal(fields: Record<string, string>, overrides: Partial<AssociateOptions> = {}): Promise<OpenIdError> {
    const opts = options(overrides);
    const error = await associate(request(fields), opts).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OpenIdError);
    expect(opts.store.associations.size).toBe(0);
    return error as OpenIdError;
  }

  it.each([
    ['no-encryption over plain HTTP', { session_type: 'no-encryption', assoc_type: 'HMAC-SHA256' }, { isSecureTransport: false }],
    ['an unknown assoc_type', { session_type: 'DH-SHA256', assoc_type: 'HMAC-MD5', dh_consumer_public: consumerPublic }, {}],
    ['DH-SHA1 carrying HMAC-SHA256', { session_type: 'DH-SHA1', assoc_type: 'HMAC-SHA256', dh_consumer_public: consumerPublic }, {}],
    ['DH-SHA256 carrying HMAC-SHA1', { session_type: 'DH-SHA256', assoc_type: 'HMAC-SHA1', dh_consumer_public: consumerPublic }, {}],
    ['a weak dh_modulus', { session_type: 'DH-SHA256', assoc_type: 'HMAC-SHA256', dh_consumer_public: 'Ag==', dh_modulus: bigIntToBase64(23n) }, {}],
    ['an RP-chosen 4096-bit modulus', { session_type: 'DH-SHA1', assoc_type: 'HMAC-SHA1', dh_consumer_public: 'Ag==', dh_modulus: bigIntToBase64((1n << 4095n) + 12345n) }, {}],
    ['the default modulus with generator 5', { session_type: 'DH-SHA256', assoc_type: 'HMAC-SHA256', dh_consumer_public: consumerPublic, dh_gen: 'BQ==' }, {}],
  ])('answers %s with unsupported-type, HTTP 400, suggesting DH-SHA256/HMAC-SHA256', async (_label, fields, overrides) => {
    const error = await refusal(fields, overrides);
    expect(error).toBeInstanceOf(UnsupportedAssociationTypeError);
    const response = directErrorResponse(error);
    expect(response.status).toBe(400);
    const kv = parseKvForm(response.body, { strict: true });
    expect(kv.get('ns')).toBe(OPENID2_NS);
    expect(kv.get('error_code')).toBe('unsupported-type');
    expect(kv.get('session_type')).toBe('DH-SHA256');
    expect(kv.get('assoc_type')).toBe('HMAC-SHA256');
    expect(kv.get('error')).toBeTruthy();
  });

  it.each([
    ['an unknown session type', { session_type: 'DH-SHA512', assoc_type: 'HMAC-SHA256' }, UnknownSessionTypeError],
    ['a missing dh_consumer_public', { session_type: 'DH-SHA256', assoc_type: 'HMAC-SHA256' }, InvalidDhParametersError],
    ['a dh_consumer_public that is not base64', { session_type: 'DH-SHA256', assoc_type: 'HMAC-SHA256', dh_consumer_public: 'A$B=' }, InvalidDhParametersError],
    ['a dh_modulus that is not base64', { session_type: 'DH-SHA256', assoc_type: 'HMAC-SHA256', dh_consumer_public: consumerPublic, dh_modulus: '!!' }, InvalidDhParametersError],
    ['a dh_consumer_public of p-1', { session_type: 'DH-SHA256', assoc_type: 'HMAC-SHA256', dh_consumer_public: bigIntToBase64(DEFAULT_DH_MODULUS - 1n) }, InvalidDhParametersError],
    ['a degenerate dh_consumer_public of 1', { session_type: 'DH-SHA256', assoc_type: 'HMAC-SHA256', dh_consumer_public: 'AQ==' }, InvalidDhParametersError],
    ['a missing session_type', { assoc_type: 'HMAC-SHA256' }, MalformedMessageError],
    ['a missing assoc_type', { session_type: 'no-encryption' }, MalformedMessageError],
  ])('answers %s with a plain 400 error without error_code', async (_label, fields, errorClass) => {
    const error = await refusal(fields);
    expect(error).toBeInstanceOf(errorClass);
    const response = directErrorResponse(error);
    expect(response.status).toBe(400);
    const kv = parseKvForm(response.body, { strict: true });
    expect(kv.get('ns')).toBe(OPENID2_NS);
    expect(kv.get('error')).toBeTruthy();
    expect(kv.has('error_code')).toBe(false);
  });

  it('refuses an associate request that is OpenID 1.x before getting here', () => {
    expect(() => OpenIdMessage.fromParams({ 'openid.mode': 'associate', 'openid.session_type': '' })).toThrow(OpenIdError);
  });

  it('adds contact and reference to error responses when given', () => {
    const response = directErrorResponse(new MalformedMessageError('bad'), { contact: 'ops@example.com', reference: 'r-1' });
    const kv = parseKvForm(response.body, { strict: true });
    expect(kv.get('contact')).toBe('ops@example.com');
    expect(kv.get('reference')).toBe('r-1');
  });
});
