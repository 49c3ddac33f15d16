import { FIELD_PREFIX, fieldAad, isSealed, KeyRing, openText, PersonKey, profileAad, requestAad, sealText, usernameAad } from '../keys';
import { SREG_FIELDS } from '../openid';

/**
 * The person's values an export reads and the document it writes, at rest (issue 17). Profile
 * values are sealed under the person's key (username `person.username:<key id>`, attributes
 * `profile.<field>:<profile id>`), posted values `auth_request.supplied.<field>:<request_id hash>`;
 * a row written before encryption holds them in clear. The document itself is sealed under the
 * person's key, bound to the export (`profile_export.document:<id>`): erasing the person (deleting
 * their key) makes every copy of it unreadable, backups included.
 */

/** Keyed hashes and key references of a profile: ours, not the person's; left out of the document. */
export const PROFILE_KEY_COLUMNS = ['username_hash', 'email_hash', 'attribute_digests', 'person_key_id'] as const;

function opened(person: PersonKey | null, aad: string, value: unknown): unknown {
  if (typeof value !== 'string' || !isSealed(value)) return value;
  if (!person) throw new Error('a sealed value without its key');
  return openText(person.key, aad, value);
}

/** A `select * from profile` row with the username and attributes opened. */
export function openProfileRow(person: PersonKey | null, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...row, username: opened(person, usernameAad(String(row.person_key_id ?? '')), row.username) };
  for (const field of SREG_FIELDS) if (field in row) out[field] = opened(person, profileAad(String(row.id), field), row[field]);
  return out;
}

/** An auth request row with its posted values opened; the request-id hash (their AAD, a secret of ours) is dropped. */
export function openAuthRequestRow(person: PersonKey | null, row: Record<string, unknown>): Record<string, unknown> {
  const { request_id_hash: requestIdHash, ...rest } = row;
  const supplied = row.supplied as Record<string, unknown> | null;
  return {
    ...rest,
    supplied:
      supplied === null || supplied === undefined
        ? null
        : Object.fromEntries(Object.entries(supplied).map(([f, v]) => [f, opened(person, requestAad(String(requestIdHash), `supplied.${f}`), v)])),
  };
}

function documentAad(exportId: string): string {
  return fieldAad('profile_export', 'document', exportId);
}

export function sealDocument(person: PersonKey, exportId: string, json: string): Buffer {
  return Buffer.from(sealText(person.key, documentAad(exportId), json), 'utf8');
}

/** Whether a stored document is sealed under a person's key (else it is one sealed before, under SECRET_KEY). */
export function isPersonSealed(document: Buffer): boolean {
  return document.subarray(0, FIELD_PREFIX.length).toString('latin1') === FIELD_PREFIX;
}

export function openDocument(person: PersonKey, exportId: string, document: Buffer): Buffer {
  return Buffer.from(openText(person.key, documentAad(exportId), document.toString('utf8')), 'utf8');
}

/** A profile's username opened (clear on a row from before encryption); null when the person's key is gone. */
export async function profileUsername(keys: KeyRing, profile: { customerId: string; username: string; personKeyId: string | null }): Promise<string | null> {
  if (profile.personKeyId === null || !isSealed(profile.username)) return profile.username;
  const person = await keys.personById(profile.customerId, profile.personKeyId);
  return person ? openText(person.key, usernameAad(person.id), profile.username) : null;
}
