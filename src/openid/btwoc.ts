/**
 * Integer encodings of §4.2: `btwoc` is the shortest big-endian two's-complement form, and DH
 * values travel as base64(btwoc(n)). All DH arithmetic happens on BigInt and every value goes
 * through `btwoc` before it is hashed or encoded: Node's fixed-length DH buffers are exactly
 * the trap of docs/protocol.md#associations (nodejs/node-v0.x-archive#5248).
 */

/** Shortest two's-complement big-endian bytes of a non-negative integer (§4.2): 0 → `00`, 128 → `00 80`. */
export function btwoc(n: bigint): Buffer {
  if (n < 0n) throw new RangeError('btwoc is only defined here for non-negative integers');
  let hex = n.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  // A set top bit would read back as negative, so positive numbers get a 0x00 in front.
  if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  return Buffer.from(hex, 'hex');
}

/** Reads big-endian two's complement; a set top bit means negative, as §4.2 defines it. */
export function fromBtwoc(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  const unsigned = BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
  const isNegative = (bytes[0] as number) >= 0x80;
  return isNegative ? unsigned - (1n << BigInt(bytes.length * 8)) : unsigned;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Strict base64 (RFC 3548 standard alphabet, padded, §4.2). `Buffer.from(s, 'base64')` skips
 * junk silently, so the text is checked first; re-encoding must give the same text back, which
 * also rejects wrong padding and non-zero trailing bits. Returns undefined when invalid.
 */
export function decodeBase64Strict(text: string): Buffer | undefined {
  if (!BASE64.test(text) || text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

/** base64(btwoc(n)). */
export function bigIntToBase64(n: bigint): string {
  return btwoc(n).toString('base64');
}

/** Inverse of `bigIntToBase64`; undefined for anything but strict base64. */
export function base64ToBigInt(text: string): bigint | undefined {
  const bytes = decodeBase64Strict(text);
  return bytes === undefined ? undefined : fromBtwoc(bytes);
}
