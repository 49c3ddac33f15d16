import { createHmac } from 'node:crypto';
import { secretsEqual } from '../shared/secret-compare';
import type { Association, AssocType } from './association';
import { decodeBase64Strict } from './btwoc';
import { encodeKvForm } from './kv-form';
import { OpenIdMessage } from './message';

/**
 * Signatures (§6): HMAC over the Key-Value form of the signed fields, in the order `openid.signed`
 * lists them, keys without the `openid.` prefix.
 */

const HMAC_HASH: Readonly<Record<AssocType, 'sha1' | 'sha256'>> = {
  'HMAC-SHA1': 'sha1',
  'HMAC-SHA256': 'sha256',
};

/**
 * Splits `openid.signed`. Undefined when the list is empty or names a key twice or an empty
 * key, which no honest signer produces (§6.1: "a comma-separated list of the fields").
 */
export function parseSignedList(signed: string): string[] | undefined {
  const keys = signed.split(',');
  if (keys.some((key) => key.length === 0) || new Set(keys).size !== keys.length) return undefined;
  return keys;
}

/**
 * §6.1 step 1–2: the KV string of the listed fields. Undefined if the message lacks one of them
 * (§11.4: an RP must refuse such an assertion, so we never "fill in" a value).
 */
export function signatureBaseString(message: OpenIdMessage, signedKeys: readonly string[]): string | undefined {
  const pairs: Array<[string, string]> = [];
  for (const key of signedKeys) {
    const value = message.get(key);
    if (value === undefined) return undefined;
    pairs.push([key, value]);
  }
  return encodeKvForm(pairs);
}

/** §6.2: base64(HMAC(mac_key, base string)), base string as UTF-8. */
export function computeSignature(assocType: AssocType, secret: Buffer, baseString: string): string {
  return createHmac(HMAC_HASH[assocType], secret).update(baseString, 'utf8').digest('base64');
}

/**
 * Adds `signed` and `sig` to a message. By default every field present is signed, in message
 * order (docs/protocol.md#positive-assertion: ns, mode, every extension field — nothing unsigned rides along).
 */
export function signMessage(
  message: OpenIdMessage,
  association: Association,
  signedKeys: readonly string[] = message.keys().filter((key) => key !== 'sig' && key !== 'signed'),
): OpenIdMessage {
  const base = signatureBaseString(message, signedKeys);
  if (base === undefined) throw new RangeError('Cannot sign a field the message does not carry');
  const sig = computeSignature(association.assocType, association.secret, base);
  return message.with('signed', signedKeys.join(',')).with('sig', sig);
}

/**
 * Checks `openid.sig` against the association, comparing the decoded MAC bytes in constant time
 * (docs/protocol.md#security-constant-time). `overrides` replaces field values before the base string is built; §5.7
 * uses it to put `mode` back to `id_res`.
 */
export function verifySignature(
  message: OpenIdMessage,
  association: Association,
  overrides: Readonly<Record<string, string>> = {},
): boolean {
  const signed = message.get('signed');
  const sig = message.get('sig');
  if (signed === undefined || sig === undefined) return false;
  const keys = parseSignedList(signed);
  if (keys === undefined) return false;
  let subject = message;
  for (const [key, value] of Object.entries(overrides)) if (subject.has(key)) subject = subject.with(key, value);
  const base = signatureBaseString(subject, keys);
  const received = decodeBase64Strict(sig);
  if (base === undefined || received === undefined) return false;
  const expected = Buffer.from(computeSignature(association.assocType, association.secret, base), 'base64');
  return secretsEqual(expected, received);
}
