import { timingSafeEqual } from 'node:crypto';

/**
 * Constant-time equality for secrets (API keys, signatures, CSRF tokens). Unequal lengths answer
 * false at once: lengths of our secrets are public, their contents are not.
 */
export function secretsEqual(a: Buffer | string, b: Buffer | string): boolean {
  const left = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
  const right = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}
