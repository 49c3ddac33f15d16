/**
 * base^exponent mod modulus by square-and-multiply: a reference written independently of the
 * service, for tests that play the RP's half of a Diffie-Hellman exchange or check the service's.
 */
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
