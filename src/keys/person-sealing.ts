import { FIELD_PREFIX, openText, sealText } from './field-cipher';
import type { CustomerKeys, KeyRing, PersonKey } from './key-ring';
import { attributeDigest, profileAad, usernameAad } from './person-values';

/**
 * Opening and sealing a person's values outside the login (profiles, consent decisions, requests,
 * tokens), with the AAD conventions of person-values.ts. A value is sealed iff it starts with `ef1.`;
 * one that does not was stored in clear before encryption.
 */

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
  usernameHash = keys.lookupHash(customer, 'username', username),
): { person: SealedPersonRef; record: Record<string, string>; digests: Record<string, string> } {
  return {
    person: {
      keyId: person.id,
      profileId: person.profileId,
      usernameHash,
      username: sealText(person.key, usernameAad(person.id), username),
      emailHash: record.email ? keys.lookupHash(customer, 'email', record.email) : null,
    },
    record: Object.fromEntries(Object.entries(record).map(([f, v]) => [f, sealText(person.key, profileAad(person.profileId, f), v)])),
    digests: Object.fromEntries(Object.entries(record).map(([f, v]) => [f, attributeDigest(person, f, v)])),
  };
}

