import { createHmac } from 'node:crypto';
import { FIELD_PREFIX, fieldAad, openText, sealText } from './field-cipher';
import { CustomerKeyMissingError, type CustomerKeys, type KeyRing, type PersonKey } from './key-ring';

/**
 * Where a person's values are bound when sealed, for every reader and writer outside the login
 * (the login's own sealing is identity-flow/sealed-values.ts, with the same conventions): the
 * username is one value of the person copied into several tables, bound to their key id
 * (`person.username:<key id>`); a profile attribute to its profile (`profile.<field>:<profile id>`).
 */

export function usernameAad(personKeyId: string): string {
  return fieldAad('person', 'username', personKeyId);
}

export function profileAad(field: string, profileId: string): string {
  return fieldAad('profile', field, profileId);
}

/** A keyed digest of one clear attribute value (the profile's `attribute_digests`). */
export function attributeDigest(person: PersonKey, field: string, value: string): string {
  return createHmac('sha256', person.digestKey).update(`${field}\n${value}`, 'utf8').digest('base64url');
}

/** Whether a stored value is sealed (else it was written before encryption, in clear). */
export function isSealed(value: string): boolean {
  return value.startsWith(FIELD_PREFIX);
}

/** A stored value opened: sealed ones under `person` for `aad`, clear (legacy) ones as they are. */
export function openStored(person: PersonKey, aad: string, value: string): string {
  return isSealed(value) ? openText(person.key, aad, value) : value;
}

/** What `ids_profile_record` receives of a person (`p_person`), as the postback builds it. */
export interface SealedPersonRef {
  keyId: string;
  profileId: string;
  usernameHash: string;
  username: string;
  emailHash: string | null;
}

/** The person, their record sealed under their key with profile AAD, and the keyed digests of the clear values. */
export function sealPersonRecord(
  customer: CustomerKeys,
  keys: KeyRing,
  person: PersonKey,
  username: string,
  record: Record<string, string>,
): { person: SealedPersonRef; record: Record<string, string>; digests: Record<string, string> } {
  return {
    person: {
      keyId: person.id,
      profileId: person.profileId,
      usernameHash: keys.lookupHash(customer, 'username', username),
      username: sealText(person.key, usernameAad(person.id), username),
      emailHash: record.email ? keys.lookupHash(customer, 'email', record.email) : null,
    },
    record: Object.fromEntries(Object.entries(record).map(([f, v]) => [f, sealText(person.key, profileAad(f, person.profileId), v)])),
    digests: Object.fromEntries(Object.entries(record).map(([f, v]) => [f, attributeDigest(person, f, v)])),
  };
}

/** One customer's lookup hash of a value: how a sealed column is matched exactly. */
export interface HashMatch {
  customerId: string;
  hash: string;
}

/**
 * How to find rows of a person (or an email) by its clear value: the lookup hash under each of the
 * customers searched (hashes differ per customer), or the clear value on a row not sealed yet.
 */
export interface LookupMatch {
  hashes: HashMatch[];
  clear: string;
}

/** A customer that no longer exists has no key and so no match (its rows are gone too). */
export async function lookupMatch(keys: KeyRing, customerIds: readonly string[], kind: 'username' | 'email', value: string): Promise<LookupMatch> {
  const hashes: HashMatch[] = [];
  for (const customerId of new Set(customerIds)) {
    try {
      hashes.push({ customerId, hash: keys.lookupHash(await keys.customer(customerId), kind, value) });
    } catch (err) {
      if (!(err instanceof CustomerKeyMissingError)) throw err;
    }
  }
  return { hashes, clear: value };
}

/**
 * The same match as an ORM condition on an entity with a `customer` relation, a hash property and
 * the clear (legacy) property, to merge into a `where`.
 */
export function matchWhere(match: LookupMatch, hashProperty: string, clearProperty: string): { $or: Array<Record<string, unknown>> } {
  return {
    $or: [...match.hashes.map((h) => ({ customer: h.customerId, [hashProperty]: h.hash })), { personKeyId: null, [clearProperty]: match.clear }],
  };
}

/** The same match as a bound JSON parameter: `(customer_id, <hash column>) in (select … from jsonb_to_recordset(?::jsonb) …)`. */
export function hashesParam(match: LookupMatch): string {
  return JSON.stringify(match.hashes.map((h) => ({ customer_id: h.customerId, hash: h.hash })));
}

/** Opens the values of rows sealed under several people's keys: one key lookup per customer for the whole batch. */
export async function personKeysOf(keys: KeyRing, rows: ReadonlyArray<{ customerId: string; personKeyId: string | null }>): Promise<Map<string, PersonKey>> {
  const byCustomer = new Map<string, Set<string>>();
  for (const r of rows) if (r.personKeyId !== null) byCustomer.set(r.customerId, (byCustomer.get(r.customerId) ?? new Set()).add(r.personKeyId));
  const found = new Map<string, PersonKey>();
  for (const [customerId, ids] of byCustomer) for (const [id, key] of await keys.people(customerId, ids)) found.set(id, key);
  return found;
}
