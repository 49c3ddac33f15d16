import { createHmac } from 'node:crypto';
import { fieldAad, subkey } from './field-cipher';
import type { PersonKey } from './key-ring';

/**
 * Where a person's username is sealed: it is one value of the person, used as their name in several
 * tables (profile, requests, consent decisions, login codes, audit payloads), so it is bound to the
 * person's key id rather than to one row.
 */
export function usernameAad(personKeyId: string): string {
  return fieldAad('person', 'username', personKeyId);
}

/** Where a profile attribute is sealed. */
export function profileAad(profileId: string, field: string): string {
  return fieldAad('profile', field, profileId);
}

/** Where an auth request's posted value (`supplied.<field>`) or blob is sealed: bound to the request's request_id hash. */
export function requestAad(requestIdHash: string, column: string): string {
  return fieldAad('auth_request', column, requestIdHash);
}

/** A keyed digest of one clear attribute value (the profile's `attribute_digests`): tells a changed value from an unchanged one. */
export function attributeDigest(person: PersonKey, field: string, value: string): string {
  return createHmac('sha256', person.digestKey).update(`${field}\n${value}`, 'utf8').digest('base64url');
}

/**
 * The key of an RP's identifiers naming a user (a checkid's claimed_id and identity), stored before
 * the person is known: derived from the customer's key and that username, so it opens only with it.
 */
export function claimedIdentityKey(customerKey: Buffer, username: string): Buffer {
  return subkey(customerKey, `claimed-identity:${username}`);
}
