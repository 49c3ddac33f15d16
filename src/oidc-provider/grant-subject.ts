import { KeyRing, openStored, usernameAad } from '../keys';
import { TokenSubject } from '../oauth';
import { PersonRef, RestrictionLookup, personKey } from '../profiles';
import { refreshSubjectAad } from './token-issuer';

/**
 * The user of a code or refresh token, opened under their key; null when the key is gone (the
 * person was erased since: nobody is left to issue tokens for).
 */
export async function openCodeSubject(keys: KeyRing, customerId: string, code: { username: string; usernameHash: string | null; personKeyId: string | null }): Promise<TokenSubject | null> {
  if (code.personKeyId === null) return null;
  const person = await keys.personById(customerId, code.personKeyId);
  if (!person) return null;
  const username = openStored(person, usernameAad(person.id), code.username);
  return { username, person, usernameHash: code.usernameHash ?? keys.lookupHash(await keys.customer(customerId), 'username', username) };
}

export async function openRefreshSubject(
  keys: KeyRing,
  customerId: string,
  token: { id: string; subject: string; subjectHash: string | null; personKeyId: string | null },
): Promise<TokenSubject | null> {
  if (token.personKeyId === null) return null;
  const person = await keys.personById(customerId, token.personKeyId);
  if (!person) return null;
  const username = openStored(person, refreshSubjectAad(token.id), token.subject);
  return { username, person, usernameHash: token.subjectHash ?? keys.lookupHash(await keys.customer(customerId), 'username', username) };
}

/** Whether the person's processing is restricted now (GDPR art. 18): a restriction set after the sign-in still counts. */
export async function isRestricted(restrictions: RestrictionLookup, customerId: string, username: string): Promise<boolean> {
  const ref: PersonRef = { customerId, username };
  return (await restrictions.restrictedAmong([ref])).has(personKey(ref));
}
