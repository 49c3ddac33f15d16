import { createHash } from 'node:crypto';
import { RandomSource, randomToken } from '../shared/random';

/** Prefix that makes a leaked key recognisable to secret scanners; never changes. */
const API_KEY_PREFIX = 'ids_';

/** A new API key: 32 bytes from the CSPRNG, base64url, so 47 characters with the prefix. */
export function generateApiKey(random: RandomSource): string {
  return API_KEY_PREFIX + randomToken(random, 32);
}

/**
 * Keys carry 256 bits of entropy, so a fast hash is enough: there is nothing to brute-force.
 * Hex SHA-256, 64 characters.
 */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}
