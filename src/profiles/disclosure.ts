/**
 * What of a person's data may leave us, or be kept, written once for every reader and writer:
 * the positive assertion (sreg/AX values and the AW's blob), the stored profile and request, the
 * API (profile, authentication-request and consent-decision fields), webhook payloads and export
 * documents. Pure: callers find out the facts (under the locks they need) and act on the answer.
 *
 * Scopes are not part of it: a caller's scopes decide which fields it may ask for at all (the
 * GraphQL auth checker, `profile.<field>`, `requests.personal`, `consents.personal`); this rule
 * decides what those fields may hold for this person, whoever asks.
 *
 * - Restricted processing (GDPR art. 18, 18(2)): storage only. Nothing leaves and nothing new is
 *   kept: no attributes, no blob, and no trace of who the person is or what they did (username,
 *   sign-in times, realms, consent decisions, released field names) in any read, webhook or
 *   export, with one exception: the person's own access request (art. 15), which a controller
 *   obtains only as an export requested `forDataSubjectAccessRequest`, with its own scope and
 *   audited with that purpose. (The audit trail is no reader here: it is the controller's record of
 *   what was done to the data, guarded by `audit.personal` and `profile.<field>` instead.)
 * - Children (COPPA, `under_13` or a date of birth less than 13 years ago): only the username is
 *   kept; no attribute and no blob is stored, relayed or released.
 * - PAPE with the ICAM no-PII policy: the RP asked that the assertion carry no personal data, so
 *   neither attributes nor the blob (which is the AW's data about the user) ride on it.
 */

/** Who reads or writes, and why. */
export type DisclosurePurpose =
  /** The positive assertion to the RP, and what is kept on the request to build it. */
  | 'assertion'
  /** What a postback may add to the stored profile. */
  | 'record'
  /** Integrator reads (GraphQL), webhook payloads and portability exports. */
  | 'read'
  /** The person's own access request (GDPR art. 15): an audited export, nothing else. */
  | 'subject-access';

export interface DisclosureFacts {
  /** The person's processing is restricted (profile.restricted_at is set). */
  readonly isRestricted?: boolean;
  /** The person is a child (under 13). */
  readonly isMinor?: boolean;
  /** The RP asked for the PAPE ICAM no-PII policy (assertions only). */
  readonly isNoPiiRequested?: boolean;
}

export interface Disclosure {
  /** The nine sreg attribute values may be released, kept or shown. */
  readonly attributes: boolean;
  /** The AW's blob may be kept for and relayed to the RP. */
  readonly blob: boolean;
  /** Who the person is and what they did: username, timestamps, realms, consent decisions, released field names. */
  readonly activity: boolean;
}

const NOTHING: Disclosure = Object.freeze({ attributes: false, blob: false, activity: false });

/** The one rule (see the file comment). */
export function disclosureOf(facts: DisclosureFacts, purpose: DisclosurePurpose): Disclosure {
  // The person's own data goes back to them whole; the blob is relay data, never part of an export.
  if (purpose === 'subject-access') return { attributes: true, blob: false, activity: true };
  if (facts.isRestricted) return NOTHING;
  const personal = !facts.isMinor && !(purpose === 'assertion' && facts.isNoPiiRequested);
  return { attributes: personal, blob: personal && purpose === 'assertion', activity: true };
}

/** One person: a customer's AW username. */
export interface PersonRef {
  readonly customerId: string;
  readonly username: string;
}

export function personKey(person: PersonRef): string {
  return `${person.customerId}\u0000${person.username}`;
}

/**
 * Tells readers which people are restricted, for the rule above (ProfileService implements it).
 * A feature that cannot import profiles (consent: profiles reads consent) is handed one.
 */
export interface RestrictionLookup {
  /** Keys (`personKey`) of those of `people` whose processing is restricted, in one query, in the current unit of work. */
  restrictedAmong(people: readonly PersonRef[]): Promise<Set<string>>;
}
