import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { open, seal } from './aes-gcm';

/**
 * Pure pieces of field-level encryption. A person's values are sealed under their data key with
 * associated data naming where the value is stored (`table.column:row`), so a ciphertext copied
 * to another row or column, or to another person, does not open.
 */

/** Marks a sealed text value: `ef1.` then base64url(iv | tag | ciphertext). */
export const FIELD_PREFIX = 'ef1.';

export function sealText(key: Buffer, aad: string, value: string): string {
  return FIELD_PREFIX + seal(key, Buffer.from(value, 'utf8'), aad).toString('base64url');
}

/** Throws when `box` is not a sealed value, or does not open under `key` for `aad`. */
export function openText(key: Buffer, aad: string, box: string): string {
  if (!box.startsWith(FIELD_PREFIX)) throw new Error('not a sealed value');
  return open(key, Buffer.from(box.slice(FIELD_PREFIX.length), 'base64url'), aad).toString('utf8');
}

/** Where a stored value sits: its table, column (and key inside a JSON column), and row. */
export function fieldAad(table: string, column: string, row: string): string {
  return `${table}.${column}:${row}`;
}

/** A fresh 256-bit data key. */
export function newDataKey(): Buffer {
  return randomBytes(32);
}

/** A subkey of a data key for one purpose (the customer's lookup-hash key). */
export function subkey(key: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `ids:${purpose}`, 32));
}

/** Person keys are wrapped under their customer's data key, bound to the person key's id. */
export function wrapPersonKey(customerKey: Buffer, personKeyId: string, personKey: Buffer): Buffer {
  return seal(customerKey, personKey, `ids-person-key:${personKeyId}`);
}

export function unwrapPersonKey(customerKey: Buffer, personKeyId: string, wrapped: Buffer): Buffer {
  return open(customerKey, wrapped, `ids-person-key:${personKeyId}`);
}

/** What a keyed lookup hash is of: exact matches on these stay possible without the clear value. */
export type LookupKind = 'username' | 'email';

/** HMAC-SHA256 under the customer's lookup key, base64url (43 characters). */
export function lookupHash(lookupKey: Buffer, kind: LookupKind, value: string): string {
  return createHmac('sha256', lookupKey).update(`${kind}\n${value}`, 'utf8').digest('base64url');
}
