import { createHash, createHmac } from 'node:crypto';
import { RandomSource, randomToken } from '../shared/random';
import { SecretKeyRing } from '../shared/secret-key-ring';

/** Prefix of every client_id; makes ids recognisable in logs and support tickets. Never changes. */
const CLIENT_ID_PREFIX = 'cli_';

/** A new client_id: 16 random bytes, base64url (26 characters with the prefix). Not a secret. */
export function generateClientId(random: RandomSource): string {
  return CLIENT_ID_PREFIX + randomToken(random, 16);
}

/** A new client_secret: 32 random bytes, base64url (43 characters). Shown once, stored hashed. */
export function generateClientSecret(random: RandomSource): string {
  return randomToken(random, 32);
}

/** Secrets carry 256 bits of entropy, so a fast hash suffices: nothing to brute-force. Hex SHA-256. */
export function hashClientSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** A new opaque access token: 32 random bytes, base64url. */
export function generateAccessToken(random: RandomSource): string {
  return randomToken(random, 32);
}

/**
 * Access tokens are stored only as HMAC-SHA256 under a SECRET_KEYS version (hex), so a copy of the table
 * alone does not let anyone check guesses offline, and rows are found by an indexed lookup.
 */
export function hashAccessToken(token: string, secretKey: string): string {
  return createHmac('sha256', secretKey).update(token, 'utf8').digest('hex');
}

/** Login codes are stored like access tokens: HMAC-SHA256 under a SECRET_KEYS version (hex), never in clear. */
export function hashLoginCode(code: string, secretKey: string): string {
  return hashAccessToken(code, secretKey);
}

/**
 * A token's (or login code's) hash under each SECRET_KEYS version, the one in use first: that one is
 * stored, and a row stored under any listed version is found by one lookup of them all.
 */
export function tokenHashes(token: string, keys: SecretKeyRing): string[] {
  return keys.all.map((v) => hashAccessToken(token, v.secret.reveal()));
}
