import { createHash } from 'node:crypto';
import type { RandomSource } from '../shared/random';
import { base64ToBigInt, bigIntToBase64, btwoc } from './btwoc';
import { InvalidDhParametersError } from './errors';
import type { OpenIdMessage } from './message';

/**
 * The OP side of the Diffie-Hellman association sessions (§8.4.2). Plain BigInt arithmetic, so
 * no value ever passes through a fixed-length buffer (PROTOCOL.md §5.3, the Node padding trap).
 */

/** Appendix B default modulus p. Never change: RPs use it whenever they omit dh_modulus. */
export const DEFAULT_DH_MODULUS = BigInt(
  '0xDCF93A0B883972EC0E19989AC5A2CE310E1D37717E8D9571BB7623731866E61EF75A2E27898B057F9891C2E27A639C3F' +
    '29B60814581CD3B2CA3986D2683705577D45C2E7E52DC81C7A171876E5CEA74B1448BFDFAF18828EFD2519F14E45E3826634A' +
    'F1949E5B535CC829A483B8A76223E5D490A257F05BDFF16F2FB22C583AB',
);

/** Appendix B default generator g. */
export const DEFAULT_DH_GENERATOR = 2n;

export type DhSessionType = 'DH-SHA1' | 'DH-SHA256';

/** H of §8.4.2: the session type names the hash that masks the MAC key. */
const SESSION_HASH: Readonly<Record<DhSessionType, 'sha1' | 'sha256'>> = {
  'DH-SHA1': 'sha1',
  'DH-SHA256': 'sha256',
};

/** [D] RP-chosen moduli are accepted in this size range only (PROTOCOL.md §5.3). */
export const MIN_DH_MODULUS_BITS = 1024;
export const MAX_DH_MODULUS_BITS = 4096;

export interface DhConsumerParams {
  readonly modulus: bigint;
  readonly generator: bigint;
  readonly consumerPublic: bigint;
}

/** base^exponent mod modulus by square-and-multiply. */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  if (modulus <= 0n || exponent < 0n) throw new RangeError('modPow needs a positive modulus and exponent ≥ 0');
  let result = 1n % modulus;
  let b = ((base % modulus) + modulus) % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    e >>= 1n;
    b = (b * b) % modulus;
  }
  return result;
}

function readInteger(message: OpenIdMessage, key: string, fallback?: bigint): bigint {
  const text = message.get(key);
  if (text === undefined) {
    if (fallback !== undefined) return fallback;
    throw new InvalidDhParametersError(`openid.${key} is required for Diffie-Hellman sessions`);
  }
  const value = base64ToBigInt(text);
  if (value === undefined) throw new InvalidDhParametersError(`openid.${key} is not valid base64`);
  return value;
}

/**
 * Reads `dh_modulus` and `dh_gen` (each defaulting to Appendix B on its own, §8.1.2) and the
 * required `dh_consumer_public`, then applies `checkDhPolicy`.
 */
export function readDhConsumerParams(message: OpenIdMessage): DhConsumerParams {
  const params = {
    modulus: readInteger(message, 'dh_modulus', DEFAULT_DH_MODULUS),
    generator: readInteger(message, 'dh_gen', DEFAULT_DH_GENERATOR),
    consumerPublic: readInteger(message, 'dh_consumer_public'),
  };
  checkDhPolicy(params);
  return params;
}

/**
 * [D] Parameter policy (PROTOCOL.md §5.3): an odd modulus of 1024–4096 bits (larger ones are a
 * cheap way to make us burn CPU, §15.5), a generator and a public key away from the degenerate
 * values 0, 1 and p-1 that would pin the shared secret to a value the attacker knows.
 */
export function checkDhPolicy({ modulus, generator, consumerPublic }: DhConsumerParams): void {
  const bits = modulus > 0n ? modulus.toString(2).length : 0;
  if (bits < MIN_DH_MODULUS_BITS || bits > MAX_DH_MODULUS_BITS || modulus % 2n === 0n) {
    throw new InvalidDhParametersError(
      `openid.dh_modulus must be odd and ${MIN_DH_MODULUS_BITS}–${MAX_DH_MODULUS_BITS} bits long`,
    );
  }
  if (generator <= 1n || generator >= modulus - 1n) {
    throw new InvalidDhParametersError('openid.dh_gen must satisfy 1 < g < p-1');
  }
  if (consumerPublic < 2n || consumerPublic > modulus - 2n) {
    throw new InvalidDhParametersError('openid.dh_consumer_public must satisfy 2 ≤ key ≤ p-2');
  }
}

/**
 * Private exponent xb, uniform enough in [2, p-2]: 64 random bits beyond the modulus size make
 * the modulo bias negligible (§8.4.2 asks for a random xb in [1, p-1]).
 */
export function generateDhPrivateKey(modulus: bigint, random: RandomSource): bigint {
  const byteLength = Math.ceil(modulus.toString(16).length / 2) + 8;
  const value = BigInt(`0x${random.bytes(byteLength).toString('hex')}`);
  return (value % (modulus - 3n)) + 2n;
}

/** H(btwoc(secret)): hashing the shortest encoding is what every RP does (§8.4.2). */
export function hashSharedSecret(sharedSecret: bigint, sessionType: DhSessionType): Buffer {
  return createHash(SESSION_HASH[sessionType]).update(btwoc(sharedSecret)).digest();
}

export interface DhServerResponse {
  /** base64(btwoc(g^xb mod p)) */
  readonly dhServerPublic: string;
  /** base64(H(btwoc((g^xa)^xb mod p)) XOR mac_key) */
  readonly encMacKey: string;
}

/** §8.4.2 server side: mask `macKey` with the hashed shared secret and publish g^xb. */
export function dhServerResponse(
  params: DhConsumerParams,
  privateKey: bigint,
  sessionType: DhSessionType,
  macKey: Buffer,
): DhServerResponse {
  const sharedSecret = modPow(params.consumerPublic, privateKey, params.modulus);
  return maskMacKey(params, privateKey, sharedSecret, sessionType, macKey);
}

function maskMacKey(
  params: DhConsumerParams,
  privateKey: bigint,
  sharedSecret: bigint,
  sessionType: DhSessionType,
  macKey: Buffer,
): DhServerResponse {
  const mask = hashSharedSecret(sharedSecret, sessionType);
  if (mask.length !== macKey.length) {
    throw new RangeError(`${sessionType} masks ${mask.length}-byte keys, got ${macKey.length} bytes`);
  }
  const encrypted = Buffer.alloc(macKey.length);
  for (let i = 0; i < macKey.length; i += 1) encrypted[i] = (mask[i] as number) ^ (macKey[i] as number);
  const serverPublic = modPow(params.generator, privateKey, params.modulus);
  return { dhServerPublic: bigIntToBase64(serverPublic), encMacKey: encrypted.toString('base64') };
}

/** Bytes of the modulus as an unsigned number: the length Node pads DH secrets to. */
function unsignedByteLength(n: bigint): number {
  return Math.ceil(n.toString(16).length / 2);
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
export function dhServerSession(
  params: DhConsumerParams,
  random: RandomSource,
  sessionType: DhSessionType,
  macKey: Buffer,
): DhServerResponse {
  const paddedLength = unsignedByteLength(params.modulus);
  for (let draw = 1; ; draw += 1) {
    const privateKey = generateDhPrivateKey(params.modulus, random);
    const sharedSecret = modPow(params.consumerPublic, privateKey, params.modulus);
    if (btwoc(sharedSecret).length >= paddedLength || draw >= MAX_PRIVATE_KEY_DRAWS) {
      return maskMacKey(params, privateKey, sharedSecret, sessionType, macKey);
    }
  }
}
