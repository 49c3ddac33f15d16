import { createDiffieHellman, createHash, getDiffieHellman, type DiffieHellman } from 'node:crypto';
import type { RandomSource } from '../shared/random';
import { base64ToBigInt, bigIntToBase64, btwoc, decodeBase64Strict } from './btwoc';
import type { AssocType } from './association';
import { InvalidDhParametersError, UnsupportedAssociationTypeError } from './errors';
import type { OpenIdMessage } from './message';

/**
 * The OP side of the Diffie-Hellman association sessions (§8.4.2), computed by OpenSSL through
 * `node:crypto`: modular exponentiation in BigInt blocked the event loop for milliseconds per
 * request (half a second with a 4096-bit modulus). Values still cross the API as BigInt and go
 * through `btwoc` before they are hashed or encoded, because Node returns them as fixed-length
 * buffers padded to the prime's length (docs/protocol.md#associations, the Node padding trap).
 */

/** Appendix B default modulus p. Never change: RPs use it whenever they omit dh_modulus. */
export const DEFAULT_DH_MODULUS = BigInt(
  '0xDCF93A0B883972EC0E19989AC5A2CE310E1D37717E8D9571BB7623731866E61EF75A2E27898B057F9891C2E27A639C3F' +
    '29B60814581CD3B2CA3986D2683705577D45C2E7E52DC81C7A171876E5CEA74B1448BFDFAF18828EFD2519F14E45E3826634A' +
    'F1949E5B535CC829A483B8A76223E5D490A257F05BDFF16F2FB22C583AB',
);

/** Appendix B default generator g, and the generator of every group we accept. */
export const DEFAULT_DH_GENERATOR = 2n;

export type DhSessionType = 'DH-SHA1' | 'DH-SHA256';

/** What we ask RPs to retry with (§8.2.4): the RECOMMENDED pair, on the default group, usable without TLS. */
export const SUGGESTED_SESSION_TYPE: DhSessionType = 'DH-SHA256';
export const SUGGESTED_ASSOC_TYPE: AssocType = 'HMAC-SHA256';

/** H of §8.4.2: the session type names the hash that masks the MAC key. */
const SESSION_HASH: Readonly<Record<DhSessionType, 'sha1' | 'sha256'>> = {
  'DH-SHA1': 'sha1',
  'DH-SHA256': 'sha256',
};

/** A Diffie-Hellman group we serve: a well-known prime with generator 2. */
export interface DhGroup {
  /** `openid-default` (Appendix B) or the name `getDiffieHellman` knows it by (`modp14`, …). */
  readonly name: string;
  readonly modulus: bigint;
  readonly generator: bigint;
  /** Random bytes drawn for the private exponent xb. */
  readonly privateKeyBytes: number;
}

/**
 * Private exponents for groups above 1024 bits are 512 bits long: RFC 3526 §8 puts the exponent a
 * 4096-bit group needs at 300–480 bits (twice its strength). A full-length exponent would cost up
 * to eight times the CPU per associate for no gain. 1024-bit groups keep full-length exponents.
 */
const SHORT_EXPONENT_BYTES = 64;

/** The Appendix B group: what RPs use when they send no dh_modulus (§8.1.2). */
export const DEFAULT_DH_GROUP: DhGroup = {
  name: 'openid-default',
  modulus: DEFAULT_DH_MODULUS,
  generator: DEFAULT_DH_GENERATOR,
  // 64 random bits beyond the modulus size make the bias of reducing mod p negligible.
  privateKeyBytes: 128 + 8,
};

/**
 * [D] The other groups an RP may choose: RFC 2409 group 2 (Oakley, 1024 bits) and the RFC 3526 MODP
 * groups of 1536–4096 bits, all with generator 2. Any other modulus or generator is answered with
 * unsupported-type (§8.2.4): an RP-chosen prime cannot be checked cheaply (an unchecked one may be
 * composite or carry small subgroups), and large ones were a way to make us burn CPU (§15.5).
 */
const WELL_KNOWN_GROUP_NAMES = ['modp2', 'modp5', 'modp14', 'modp15', 'modp16'] as const;

let knownGroups: Map<string, DhGroup> | undefined;

/** Built on first use: getting the primes out of OpenSSL costs tens of milliseconds once. */
function groupsByPrimeHex(): Map<string, DhGroup> {
  if (knownGroups) return knownGroups;
  const groups = new Map<string, DhGroup>([[unsignedBytes(DEFAULT_DH_MODULUS).toString('hex'), DEFAULT_DH_GROUP]]);
  for (const name of WELL_KNOWN_GROUP_NAMES) {
    const prime = getDiffieHellman(name).getPrime();
    const modulus = BigInt(`0x${prime.toString('hex')}`);
    const privateKeyBytes = prime.length > 128 ? SHORT_EXPONENT_BYTES : prime.length + 8;
    groups.set(prime.toString('hex'), { name, modulus, generator: DEFAULT_DH_GENERATOR, privateKeyBytes });
  }
  knownGroups = groups;
  return groups;
}

/** Unsigned big-endian bytes, as node:crypto reads and writes DH values. */
function unsignedBytes(n: bigint): Buffer {
  const hex = n.toString(16);
  return Buffer.from(hex.length % 2 === 1 ? `0${hex}` : hex, 'hex');
}

function fromUnsignedBytes(bytes: Buffer): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString('hex')}`);
}

/** Leading zero bytes dropped: btwoc puts one in front of a prime whose top bit is set. */
function withoutLeadingZeros(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start += 1;
  return bytes.subarray(start);
}

/**
 * The group whose modulus and generator are exactly these bytes (btwoc, or unsigned: leading zero
 * bytes are ignored), else undefined.
 */
export function findDhGroup(modulusBytes: Buffer, generatorBytes: Buffer): DhGroup | undefined {
  const generator = withoutLeadingZeros(generatorBytes);
  if (generator.length !== 1 || generator[0] !== Number(DEFAULT_DH_GENERATOR)) return undefined;
  return groupsByPrimeHex().get(withoutLeadingZeros(modulusBytes).toString('hex'));
}

export interface DhConsumerParams {
  readonly group: DhGroup;
  readonly consumerPublic: bigint;
}

function readBytes(message: OpenIdMessage, key: string): Buffer | undefined {
  const text = message.get(key);
  if (text === undefined) return undefined;
  const bytes = decodeBase64Strict(text);
  if (bytes === undefined) throw new InvalidDhParametersError(`openid.${key} is not valid base64`);
  return bytes;
}

/**
 * Reads `dh_modulus` and `dh_gen` (each defaulting to Appendix B on its own, §8.1.2) and the
 * required `dh_consumer_public`. Undecodable values are a plain error; a group we do not serve is
 * unsupported-type; then the public key must pass `checkConsumerPublic`.
 */
export function readDhConsumerParams(message: OpenIdMessage): DhConsumerParams {
  const modulus = readBytes(message, 'dh_modulus');
  const generator = readBytes(message, 'dh_gen');
  const publicText = message.get('dh_consumer_public');
  if (publicText === undefined) throw new InvalidDhParametersError('openid.dh_consumer_public is required for Diffie-Hellman sessions');
  const consumerPublic = base64ToBigInt(publicText);
  if (consumerPublic === undefined) throw new InvalidDhParametersError('openid.dh_consumer_public is not valid base64');
  const group =
    modulus === undefined && generator === undefined
      ? DEFAULT_DH_GROUP
      : findDhGroup(modulus ?? unsignedBytes(DEFAULT_DH_MODULUS), generator ?? unsignedBytes(DEFAULT_DH_GENERATOR));
  if (group === undefined) {
    throw new UnsupportedAssociationTypeError(
      'Only the default Diffie-Hellman group and the RFC 2409/3526 MODP groups with generator 2 are supported',
      SUGGESTED_SESSION_TYPE,
      SUGGESTED_ASSOC_TYPE,
    );
  }
  checkConsumerPublic(group, consumerPublic);
  return { group, consumerPublic };
}

/**
 * 1 < y < p-1: the values 0, 1 and p-1 (and anything outside the group) would pin the shared
 * secret to a value the sender knows, or let it probe our private key.
 */
export function checkConsumerPublic(group: DhGroup, consumerPublic: bigint): void {
  if (consumerPublic <= 1n || consumerPublic >= group.modulus - 1n) {
    throw new InvalidDhParametersError('openid.dh_consumer_public must satisfy 1 < key < p-1');
  }
}

/**
 * Private exponent xb in [2, p-2] (§8.4.2 asks for a random xb in [1, p-1]), from
 * `group.privateKeyBytes` random bytes.
 */
export function generateDhPrivateKey(group: DhGroup, random: RandomSource): bigint {
  const value = fromUnsignedBytes(random.bytes(group.privateKeyBytes));
  return (value % (group.modulus - 3n)) + 2n;
}

/** H(btwoc(secret)): hashing the shortest encoding is what every RP does (§8.4.2). */
export function hashSharedSecret(sharedSecret: bigint, sessionType: DhSessionType): Buffer {
  return createHash(SESSION_HASH[sessionType]).update(btwoc(sharedSecret)).digest();
}

/**
 * One OpenSSL context per group, made on first use and kept: making one checks the prime, which
 * costs tens of milliseconds for the 1024-bit groups. Each exchange sets its own private key and
 * uses it within one synchronous call, so requests never see each other's keys.
 */
const contexts = new Map<string, DiffieHellman>();

function contextFor(group: DhGroup): DiffieHellman {
  let context = contexts.get(group.name);
  if (context === undefined) {
    context = createDiffieHellman(unsignedBytes(group.modulus), unsignedBytes(group.generator));
    contexts.set(group.name, context);
  }
  return context;
}

/** g^xb mod p and (g^xa)^xb mod p, natively. */
function exchange(params: DhConsumerParams, privateKey: bigint): { serverPublic: bigint; sharedSecret: bigint } {
  const context = contextFor(params.group);
  context.setPrivateKey(unsignedBytes(privateKey));
  const serverPublic = fromUnsignedBytes(context.generateKeys());
  let secret: Buffer;
  try {
    secret = context.computeSecret(unsignedBytes(params.consumerPublic));
  } catch (err) {
    // OpenSSL also checks that the key lies in the group's prime-order subgroup when it knows it.
    throw new InvalidDhParametersError('openid.dh_consumer_public is not a public key of this group', { cause: err });
  }
  return { serverPublic, sharedSecret: fromUnsignedBytes(secret) };
}

export interface DhServerResponse {
  /** base64(btwoc(g^xb mod p)) */
  readonly dhServerPublic: string;
  /** base64(H(btwoc((g^xa)^xb mod p)) XOR mac_key) */
  readonly encMacKey: string;
}

/** §8.4.2 server side with a given xb: mask `macKey` with the hashed shared secret and publish g^xb. */
export function dhServerResponse(params: DhConsumerParams, privateKey: bigint, sessionType: DhSessionType, macKey: Buffer): DhServerResponse {
  const { serverPublic, sharedSecret } = exchange(params, privateKey);
  return maskMacKey(serverPublic, sharedSecret, sessionType, macKey);
}

function maskMacKey(serverPublic: bigint, sharedSecret: bigint, sessionType: DhSessionType, macKey: Buffer): DhServerResponse {
  const mask = hashSharedSecret(sharedSecret, sessionType);
  if (mask.length !== macKey.length) {
    throw new RangeError(`${sessionType} masks ${mask.length}-byte keys, got ${macKey.length} bytes`);
  }
  const encrypted = Buffer.alloc(macKey.length);
  for (let i = 0; i < macKey.length; i += 1) encrypted[i] = (mask[i] as number) ^ (macKey[i] as number);
  return { dhServerPublic: bigIntToBase64(serverPublic), encMacKey: encrypted.toString('base64') };
}

/** Far more draws than ever needed (each retry happens with probability 1/512). */
const MAX_PRIVATE_KEY_DRAWS = 64;

/**
 * The association-time exchange: draws xb and answers. [D] An xb whose shared secret is shorter,
 * in btwoc, than the modulus is drawn again. Such secrets (about 1 in 512) are exactly where RPs
 * that hash Node's zero-padded `computeSecret()` output instead of btwoc derive a wrong MAC key;
 * the npm `openid` RP does so, and would then fail every login for the association's lifetime.
 * Spec-correct RPs cannot tell the difference, and skipping 1/512 of the key space costs nothing.
 */
export function dhServerSession(params: DhConsumerParams, random: RandomSource, sessionType: DhSessionType, macKey: Buffer): DhServerResponse {
  const paddedLength = unsignedBytes(params.group.modulus).length;
  for (let draw = 1; ; draw += 1) {
    const { serverPublic, sharedSecret } = exchange(params, generateDhPrivateKey(params.group, random));
    if (btwoc(sharedSecret).length >= paddedLength || draw >= MAX_PRIVATE_KEY_DRAWS) {
      return maskMacKey(serverPublic, sharedSecret, sessionType, macKey);
    }
  }
}
