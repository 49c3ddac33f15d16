import { claimedIdentityKey, CustomerKeys, KeyRing, openStored, openText, PersonKey, requestAad, sealPersonRecord, sealText, usernameAad } from '../keys';
import type { AuthRequestInput } from '../openid';
import type { StepAnswer } from './login-steps.repository';

/**
 * How the login seals a person's values before they reach the database, and opens them in the
 * answers of the browser steps. Every value is AES-256-GCM under the person's key, bound to where it
 * is stored: `profile.<field>:<profile id>`, `auth_request.supplied.<field>:<request_id hash>`,
 * `auth_request.blob:<request_id hash>`. The username is one value of the person used as their name
 * in several tables (profile, requests, consent decisions, login codes, audit payloads): it is bound
 * to the person's key id instead, `person.username:<key id>`.
 */

/** What the postback's SQL function receives of the person (`p_person`). */
export interface SealedPerson {
  keyId: string;
  profileId: string;
  usernameHash: string;
  username: string;
  emailHash: string | null;
  /** Only for a key the database does not know yet: wrapped under the customer key, stored by the postback. */
  wrapped?: string;
  legacyUsername?: string;
}

export interface SealedPostback {
  person: SealedPerson;
  supplied: Record<string, string>;
  blob: string | null;
  record: Record<string, string>;
  digests: Record<string, string>;
}

export function sealPostback(
  customer: CustomerKeys,
  keys: KeyRing,
  person: PersonKey,
  wrapped: Buffer | null,
  values: { username: string; usernameHash: string; requestIdHash: string; supplied: Record<string, string>; blob: string | null; record: Record<string, string> },
): SealedPostback {
  // The person and their profile record as every profile write seals them; the request's values beside.
  const profile = sealPersonRecord(customer, keys, person, values.username, values.record, values.usernameHash);
  return {
    person: { ...profile.person, ...(wrapped ? { wrapped: wrapped.toString('base64'), legacyUsername: values.username } : {}) },
    supplied: Object.fromEntries(Object.entries(values.supplied).map(([f, v]) => [f, sealText(person.key, requestAad(values.requestIdHash, `supplied.${f}`), v)])),
    blob: values.blob === null ? null : sealText(person.key, requestAad(values.requestIdHash, 'blob'), values.blob),
    record: profile.record,
    digests: profile.digests,
  };
}

/**
 * The answer with its person's values opened. A request stored before encryption (no key) holds
 * them in clear. When the person's key is gone (erased meanwhile) the values are gone too: the
 * answer carries none, and no username (the caller refuses such an answer).
 */
export async function openAnswer(keys: KeyRing, customerId: string, sealed: StepAnswer): Promise<StepAnswer> {
  if (sealed.step !== 'answer' && sealed.step !== 'consent') return sealed;
  const answer = await openPersonValues(keys, customerId, sealed);
  return { ...answer, openidRequest: await openStoredRequest(keys, customerId, answer.requestIdHash!, answer.username, answer.openidRequest as StoredRequest) };
}

async function openPersonValues(keys: KeyRing, customerId: string, answer: StepAnswer): Promise<StepAnswer> {
  if (answer.personKeyId === null) return answer;
  const person = await keys.personById(customerId, answer.personKeyId);
  if (!person) return { ...answer, username: null, supplied: {}, blob: null };
  const requestIdHash = answer.requestIdHash!;
  // A value stored in clear before encryption (not yet sealed by the upgrade job) is read as it is.
  const supplied = Object.fromEntries(Object.entries(answer.supplied ?? {}).map(([f, v]) => [f, openStored(person, requestAad(requestIdHash, `supplied.${f}`), v)]));
  return {
    ...answer,
    username: answer.username === null ? null : openStored(person, usernameAad(person.id), answer.username),
    supplied,
    blob: answer.blob === null ? null : openStored(person, requestAad(requestIdHash, 'blob'), answer.blob),
  };
}

/** The stored form of a validated checkid request, enough to answer the RP later. */
export interface StoredRequest {
  /** With `claimedId` and `identity` emptied when they name a user: those are in `sealedIdentity`. */
  input: AuthRequestInput;
  /** The keyed hash (the customer's lookup key) of the user the RP asked about, when it named one; the postback's user must match it. */
  usernameHintHash: string | null;
  /** The RP's claimed_id and identity naming a user, sealed under the customer's key (`auth_request.openid_request.identity:<request_id hash>`). */
  sealedIdentity?: string;
}

/**
 * How a checkid request is stored: one naming a user (not identifier_select) keeps its identifiers,
 * which hold the username, sealed, and the username's lookup hash. The person may not be known yet,
 * so the key is derived from the customer's key and the username the RP named: it opens only for
 * the user the AW then logs in (whose username the answer carries), and nothing about the request
 * opens without already knowing that username, in this database or a backup of it.
 */
export function storedRequest(keys: KeyRing, input: AuthRequestInput, hint: { username: string; customer: CustomerKeys } | null, requestIdHash: string): StoredRequest {
  if (hint === null) return { input, usernameHintHash: null };
  const { username: usernameHint, customer } = hint;
  const identity = JSON.stringify({ claimedId: input.claimedId, identity: input.identity });
  return {
    input: { ...input, claimedId: '', identity: '' },
    usernameHintHash: keys.lookupHash(customer, 'username', usernameHint),
    sealedIdentity: sealText(claimedIdentityKey(customer.key, usernameHint), requestAad(requestIdHash, 'openid_request.identity'), identity),
  };
}

/**
 * The stored request with its identifiers opened again, for the user the AW logged in. For another
 * user (the answer is then a cancel) or none (erased), they stay empty.
 */
async function openStoredRequest(keys: KeyRing, customerId: string, requestIdHash: string, username: string | null, stored: StoredRequest): Promise<StoredRequest> {
  if (stored.sealedIdentity === undefined || username === null) return stored;
  const customer = await keys.customer(customerId);
  try {
    const { claimedId, identity } = JSON.parse(openText(claimedIdentityKey(customer.key, username), requestAad(requestIdHash, 'openid_request.identity'), stored.sealedIdentity)) as {
      claimedId: string;
      identity: string;
    };
    return { ...stored, input: { ...stored.input, claimedId, identity } };
  } catch {
    return stored;
  }
}
