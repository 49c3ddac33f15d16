import type { Clock } from '../shared/clock';
import { randomBase62, type RandomSource } from '../shared/random';
import { InvalidNonceError } from './errors';

/**
 * `openid.response_nonce` (§10.1): `YYYY-MM-DDThh:mm:ssZ` (UTC, no fractions) followed by
 * characters that make it unique, all ASCII 33–126, at most 255 characters in total.
 */

/** [D] Eight base62 characters after the timestamp: 47 bits of uniqueness per second. */
export const NONCE_SALT_LENGTH = 8;
export const MAX_NONCE_LENGTH = 255;

const TIMESTAMP = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z/;
const SALT = /^[\x21-\x7e]*$/;

/** `2024-01-01T00:00:00Z`: RFC 3339 in UTC without fractional seconds (§10.1, PAPE auth_time). */
export function formatUtcTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** A fresh nonce for a positive assertion: the clock's current second plus random salt. */
export function makeResponseNonce(clock: Clock, random: RandomSource): string {
  return formatUtcTimestamp(clock.now()) + randomBase62(random, NONCE_SALT_LENGTH);
}

export interface ResponseNonce {
  readonly timestamp: Date;
  readonly salt: string;
}

/**
 * Splits and validates a nonce, or undefined. Rejects what python-openid's `split` rejects
 * (docs/protocol.md#vectors-realms): a missing or non-UTC timestamp, impossible dates (month 00), times before
 * the epoch; and beyond it, more than 255 characters or salt outside ASCII 33–126.
 */
export function tryParseResponseNonce(nonce: string): ResponseNonce | undefined {
  if (nonce.length > MAX_NONCE_LENGTH) return undefined;
  const match = TIMESTAMP.exec(nonce);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number, number, number, number, number, number,
  ];
  const millis = Date.UTC(year, month - 1, day, hour, minute, second);
  const timestamp = new Date(millis);
  // Date.UTC rolls 1970-13-01 over into 1971: reading the fields back catches impossible dates.
  const isExact =
    timestamp.getUTCFullYear() === year &&
    timestamp.getUTCMonth() === month - 1 &&
    timestamp.getUTCDate() === day &&
    timestamp.getUTCHours() === hour &&
    timestamp.getUTCMinutes() === minute &&
    timestamp.getUTCSeconds() === second;
  if (!isExact || millis < 0) return undefined;
  const salt = nonce.slice(match[0].length);
  if (!SALT.test(salt)) return undefined;
  return { timestamp, salt };
}

/** As `tryParseResponseNonce`, throwing `InvalidNonceError`. */
export function parseResponseNonce(nonce: string): ResponseNonce {
  const parsed = tryParseResponseNonce(nonce);
  if (parsed === undefined) throw new InvalidNonceError('openid.response_nonce is malformed');
  return parsed;
}
