import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * The rows written before encryption at rest, for the upgrade job (legacy-sealer.ts): a batch at a
 * time, locked and skipped by a concurrent run, and written back sealed. Each table's partial index
 * (the EncryptionAtRest migration) finds what is left without scanning what is done.
 */

const SREG = ['nickname', 'email', 'fullname', 'dob', 'gender', 'postcode', 'country', 'language', 'timezone'] as const;
export type SregColumn = (typeof SREG)[number];
export const SREG_COLUMNS: readonly SregColumn[] = SREG;

export type UnsealedProfile = {
  id: string;
  customer_id: string;
  username: string;
  person_key_id: string | null;
  attribute_digests: Record<string, string> | null;
  email_hash: string | null;
} & Record<SregColumn, string | null>;

export function selectUnsealedProfiles(em: EntityManager, limit: number): Promise<UnsealedProfile[]> {
  return em.execute(
    `select id, customer_id, username, person_key_id, attribute_digests, email_hash, ${SREG.join(', ')}
       from profile where unsealed
        -- A person being erased is left alone: sealing them would make them a key after theirs was deleted.
        and not exists (select 1 from deletion_request d where d.profile_id = profile.id and d.status in ('PENDING', 'RUNNING'))
      order by id limit ? for update skip locked`,
    [limit],
  );
}

export interface SealedProfile {
  id: string;
  username: string;
  usernameHash: string;
  emailHash: string | null;
  personKeyId: string;
  digests: Record<string, string>;
  values: Record<SregColumn, string | null>;
}

export async function updateSealedProfile(em: EntityManager, p: SealedProfile): Promise<void> {
  await em.execute(
    `update profile set username = ?, username_hash = ?, email_hash = ?, person_key_id = ?, attribute_digests = ?::jsonb,
            ${SREG.map((c) => `${c} = ?`).join(', ')}, unsealed = false
      where id = ?`,
    [p.username, p.usernameHash, p.emailHash, p.personKeyId, JSON.stringify(p.digests), ...SREG.map((c) => p.values[c]), p.id],
  );
}

/** Marks a profile done without sealing it (its person's key says it is another profile: reported, not retried). */
export async function markProfileSkipped(em: EntityManager, id: string): Promise<void> {
  await em.execute('update profile set unsealed = false where id = ?', [id]);
}

export interface UnsealedRequest {
  id: string;
  customer_id: string;
  request_id_hash: string;
  username: string;
  supplied: Record<string, string> | null;
  blob: string | null;
  openid_request: Record<string, unknown>;
}

export function selectUnsealedRequests(em: EntityManager, limit: number): Promise<UnsealedRequest[]> {
  return em.execute(
    `select id, customer_id, request_id_hash, username, supplied, blob, openid_request
       from auth_request where person_key_id is null and username is not null order by id limit ? for update skip locked`,
    [limit],
  );
}

export async function updateSealedRequest(
  em: EntityManager,
  r: { id: string; username: string; usernameHash: string; personKeyId: string; supplied: Record<string, string> | null; blob: string | null; openidRequest: Record<string, unknown> },
): Promise<void> {
  await em.execute(
    'update auth_request set username = ?, username_hash = ?, person_key_id = ?, supplied = ?::jsonb, blob = ?, openid_request = ?::jsonb where id = ?',
    [r.username, r.usernameHash, r.personKeyId, r.supplied === null ? null : JSON.stringify(r.supplied), r.blob, JSON.stringify(r.openidRequest), r.id],
  );
}

/** Consent decisions and login codes: rows naming a person by username only. */
export type NamedTable = 'consent_decision' | 'oauth_login_code';

export function selectUnsealedNamed(em: EntityManager, table: NamedTable, limit: number): Promise<Array<{ id: string; customer_id: string; username: string }>> {
  return em.execute(`select id, customer_id, username from ${table} where person_key_id is null order by id limit ? for update skip locked`, [limit]);
}

export async function updateSealedNamed(em: EntityManager, table: NamedTable, r: { id: string; username: string; usernameHash: string; personKeyId: string }): Promise<void> {
  await em.execute(`update ${table} set username = ?, username_hash = ?, person_key_id = ? where id = ?`, [r.username, r.usernameHash, r.personKeyId, r.id]);
}

/** How many rows are still to seal, per table. */
export async function countUnsealed(em: EntityManager): Promise<Record<string, number>> {
  const [row]: Array<Record<string, number>> = await em.execute(
    `select (select count(*)::int from profile where unsealed) as profile,
            (select count(*)::int from auth_request where person_key_id is null and username is not null) as auth_request,
            (select count(*)::int from consent_decision where person_key_id is null) as consent_decision,
            (select count(*)::int from oauth_login_code where person_key_id is null) as oauth_login_code`,
  );
  return row!;
}
