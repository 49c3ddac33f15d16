import { createHmac, hkdfSync } from 'node:crypto';

/**
 * A keyed hash for values that are personal data (an IP address) but must still be counted or
 * matched: HMAC-SHA256 under a key derived from the server secret for one purpose, so a database
 * dump alone cannot tell which address a row belongs to, and the same value hashes differently for
 * each purpose. The parts are joined with a line feed, which none of them may contain.
 */
export type KeyedHash = (...parts: string[]) => string;

export function createKeyedHash(serverSecret: string, purpose: string): KeyedHash {
  const key = Buffer.from(hkdfSync('sha256', serverSecret, Buffer.alloc(0), `ids:${purpose}`, 32));
  return (...parts) => createHmac('sha256', key).update(parts.join('\n'), 'utf8').digest('base64url');
}
