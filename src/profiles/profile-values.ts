import { attributeDigest, CustomerKeys, KeyRing, openStored, PersonKey, profileAad, sealText, usernameAad } from '../keys';
import { SREG_FIELDS, SregField } from '../openid';
import type { FieldChange } from '../audit';
import type { Profile } from './profile.entity';
import type { ProfileRecord, StoredProfileRecord } from './profile.repository';

/**
 * A stored profile opened for its readers. A row written before encryption (no key) holds its values
 * in clear; a sealed row opens under the person's key (username `person.username:<key id>`,
 * attributes `profile.<field>:<profile id>`); when that key is gone (erased) nothing of the person
 * shows: no username and no attribute.
 */
export function openProfile(stored: StoredProfileRecord, person: PersonKey | undefined): ProfileRecord {
  const { personKeyId, ...record } = stored;
  if (personKeyId === null) return record;
  const values = Object.fromEntries(
    SREG_FIELDS.map((field) => {
      const value = stored[field];
      return [field, value === null || !person ? null : openStored(person, profileAad(stored.id, field), value)];
    }),
  );
  return { ...record, ...values, username: person ? openStored(person, usernameAad(person.id), stored.username) : null };
}

/** The entity's row as stored (its values sealed). */
export function storedOf(p: Profile): StoredProfileRecord {
  return {
    id: p.id,
    customerId: p.customer.id,
    username: p.username,
    personKeyId: p.personKeyId,
    nickname: p.nickname,
    email: p.email,
    fullname: p.fullname,
    dob: p.dob,
    gender: p.gender,
    postcode: p.postcode,
    country: p.country,
    language: p.language,
    timezone: p.timezone,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    lastSeenAt: p.lastSeenAt,
    restrictedAt: p.restrictedAt,
  };
}

/**
 * A rectification sealed: the new values under the person's key (profile AAD), their keyed digests
 * in `attribute_digests` (a cleared field has none), the email's lookup hash, and the audit change
 * of each field sealed as the postback's `profile.updated` payloads are (profile AAD).
 */
export function sealProfileChanges(
  profile: Profile,
  person: PersonKey,
  changed: ReadonlyArray<readonly [SregField, string | null]>,
  customer: CustomerKeys,
  keys: KeyRing,
): { assign: Record<string, unknown>; changes: (field: SregField, old: string | null, value: string | null) => FieldChange } {
  const seal = (field: string, value: string | null) => (value === null ? null : sealText(person.key, profileAad(profile.id, field), value));
  const digests: Record<string, string> = { ...(profile.attributeDigests ?? {}) };
  const assign: Record<string, unknown> = {};
  for (const [field, value] of changed) {
    assign[field] = seal(field, value);
    if (value === null) delete digests[field];
    else digests[field] = attributeDigest(person, field, value);
    if (field === 'email') assign.emailHash = value === null ? null : keys.lookupHash(customer, 'email', value);
  }
  assign.attributeDigests = digests;
  return { assign, changes: (field, old, value) => ({ old: seal(field, old), new: seal(field, value) }) };
}
