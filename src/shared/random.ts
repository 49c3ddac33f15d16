import { randomBytes } from 'node:crypto';

/** Source of cryptographic randomness, passed in so tests can make protocol output reproducible. */
export interface RandomSource {
  bytes(length: number): Buffer;
}

export const cryptoRandom: RandomSource = { bytes: (length) => randomBytes(length) };

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `length` characters drawn uniformly from [0-9A-Za-z] (rejection sampling, so no modulo bias). */
export function randomBase62(random: RandomSource, length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of random.bytes(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

/** `byteLength` random bytes as unpadded base64url. */
export function randomToken(random: RandomSource, byteLength: number): string {
  return random.bytes(byteLength).toString('base64url');
}
