import { fieldAad, isSealed, KeyRing, openText, sealText, usernameAad } from '../keys';

/**
 * The username an erasure works with (issue 17). On a profile it is sealed under the person's key
 * (`person.username:<person key id>`), clear on a row written before encryption. An open deletion
 * request keeps it sealed under the CUSTOMER's key (`deletion_request.username:<id>`): the person's
 * key is deleted when the request is recorded, and the purge still needs the name to find rows
 * written before encryption (and to compute the lookup hash the sealed rows are matched by).
 */

/** The profile row's username opened; null when the person's key is gone (shredded). */
export async function openProfileUsername(keys: KeyRing, row: { customer_id: string; username: string; person_key_id: string | null }): Promise<string | null> {
  if (row.person_key_id === null || !isSealed(row.username)) return row.username;
  const person = await keys.personById(row.customer_id, row.person_key_id);
  return person ? openText(person.key, usernameAad(person.id), row.username) : null;
}

export async function sealRequestUsername(keys: KeyRing, customerId: string, requestId: string, username: string): Promise<string> {
  return sealText((await keys.customer(customerId)).key, fieldAad('deletion_request', 'username', requestId), username);
}

/** The request's username opened (clear on a request from before encryption); null when it no longer opens (the customer's key was shredded). */
export async function openRequestUsername(keys: KeyRing, customerId: string, requestId: string, stored: string | null): Promise<string | null> {
  if (stored === null || !isSealed(stored)) return stored;
  try {
    return openText((await keys.customer(customerId)).key, fieldAad('deletion_request', 'username', requestId), stored);
  } catch {
    return null;
  }
}

/** The customer's lookup hash of a username: how sealed rows are matched (`username_hash`, `usernameHintHash`). */
export async function usernameLookupHash(keys: KeyRing, customerId: string, username: string): Promise<string> {
  return keys.lookupHash(await keys.customer(customerId), 'username', username);
}
