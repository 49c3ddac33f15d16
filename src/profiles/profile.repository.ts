import { EntityManager } from '@mikro-orm/postgresql';
import { executeBound } from '../db/scope';
import { SregField } from '../openid';
import type { Cursor } from '../shared/pagination';
import { hashesParam, type LookupMatch, type SealedPersonRef } from '../keys';

/**
 * A profile as the API reads it: the row's values, opened, no ORM entity. A page of them is never
 * hydrated, registered in the identity map or compared for changes at commit, which cost far more
 * than the query itself for 100 rows. When the person's key is gone (erased) it holds no values:
 * `username` and every attribute are null.
 */
export type ProfileRecord = {
  id: string;
  customerId: string;
  username: string | null;
  createdAt: Date;
  updatedAt: Date;
  lastSeenAt: Date;
  restrictedAt: Date | null;
} & Record<SregField, string | null>;

/** A profile row as stored: its values sealed under `personKeyId` (in clear when that is null: written before encryption). */
export type StoredProfileRecord = Omit<ProfileRecord, 'username'> & { username: string; personKeyId: string | null };

/** Which profiles a page holds: every condition given must hold. */
export interface ProfilePageQuery {
  customerId?: string;
  /** The person (username) by lookup hash, exact only. */
  person?: LookupMatch;
  /** Profiles with this email (by lookup hash, exact only) whose processing is not restricted (matching a restricted person's address is processing it). */
  email?: LookupMatch;
  /** Changed at or after this time. */
  updatedSince?: Date;
  /** Strictly after this position in (created_at, id) order. */
  after?: Cursor;
  limit: number;
}

type ProfileRow = {
  id: string;
  customer_id: string;
  username: string;
  person_key_id: string | null;
  created_at: string;
  updated_at: string;
  last_seen_at: string;
  restricted_at: string | null;
} & Record<SregField, string | null>;

/** `(customer_id, <hash>) in (the match's hashes)`, or the clear value on a row not sealed yet. */
function matchCondition(hashColumn: string, clearColumn: string): string {
  return `((customer_id, ${hashColumn}) in (select m.customer_id, m.hash from jsonb_to_recordset(?::jsonb) as m(customer_id uuid, hash text))
           or (person_key_id is null and ${clearColumn} = ?))`;
}

/** Profiles oldest first, `(created_at, id)` ascending, in one statement; values as stored (sealed). */
export async function selectProfilePage(em: EntityManager, query: ProfilePageQuery): Promise<StoredProfileRecord[]> {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const where = (condition: string, ...values: unknown[]) => {
    conditions.push(condition);
    params.push(...values);
  };
  if (query.customerId !== undefined) where('customer_id = ?', query.customerId);
  if (query.person !== undefined) where(matchCondition('username_hash', 'username'), hashesParam(query.person), query.person.clear);
  if (query.email !== undefined) where(`${matchCondition('email_hash', 'email')} and restricted_at is null`, hashesParam(query.email), query.email.clear);
  if (query.updatedSince !== undefined) where('updated_at >= ?', query.updatedSince);
  if (query.after !== undefined) where('(created_at, id) > (?, ?)', query.after.createdAt, query.after.id);
  const rows: ProfileRow[] = await em.execute(
    `select id, customer_id, username, person_key_id, nickname, email, fullname, dob, gender, postcode, country, language, timezone,
            created_at, updated_at, last_seen_at, restricted_at
     from profile${conditions.length > 0 ? ` where ${conditions.join(' and ')}` : ''}
     order by created_at, id
     limit ?`,
    [...params, query.limit],
  );
  // The ORM's own date parsing (timestamptz comes back as text on its connections), so a record holds what an entity would.
  const platform = em.getPlatform();
  return rows.map((row) => ({
    id: row.id,
    customerId: row.customer_id,
    username: row.username,
    personKeyId: row.person_key_id,
    nickname: row.nickname,
    email: row.email,
    fullname: row.fullname,
    dob: row.dob,
    gender: row.gender,
    postcode: row.postcode,
    country: row.country,
    language: row.language,
    timezone: row.timezone,
    createdAt: platform.parseDate(row.created_at),
    updatedAt: platform.parseDate(row.updated_at),
    lastSeenAt: platform.parseDate(row.last_seen_at),
    restrictedAt: row.restricted_at === null ? null : platform.parseDate(row.restricted_at),
  }));
}

/** What a postback records of a person (see `recordProfile`), sealed under their key. */
export interface PostbackRecord {
  customerId: string;
  /** Their key, profile id, sealed username and lookup hashes (`p_person`). */
  person: SealedPersonRef;
  /** The sreg values the disclosure rule lets the profile record (none for a child), sealed. */
  record: Record<string, string>;
  /** Keyed digests of the clear values, to tell what changed. */
  digests: Record<string, string>;
  isMinor: boolean;
  /** Whether a restricted person's profile may change (the rule says no). */
  restrictedRecords: boolean;
  now: Date;
  subjectHash: string;
  actor: { kind: string; id: string };
}

/**
 * Creates or updates a person's profile as a postback does, in `em`'s transaction: the SQL
 * function `ids_profile_record` (the EncryptionAtRest migration), which the postback's own
 * statement calls too, so there is one implementation of what a postback records and audits.
 * False when the person's key is gone (erased since it was read): nothing was written.
 */
export async function recordProfile(em: EntityManager, r: PostbackRecord): Promise<boolean> {
  const rows = await executeBound<{ recorded: boolean }>(em, 'select ids_profile_record(?, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, ?) as recorded', [
    r.customerId,
    JSON.stringify(r.person),
    JSON.stringify(r.record),
    JSON.stringify(r.digests),
    r.isMinor,
    r.restrictedRecords,
    r.now,
    r.subjectHash,
    r.actor.kind,
    r.actor.id,
  ]);
  return rows[0]?.recorded === true;
}

/** Of the people given per customer (by lookup hash, or clear on rows not sealed yet), the restricted ones; one statement. */
export function selectRestrictedPeople(
  em: EntityManager,
  people: ReadonlyArray<{ customerId: string; usernameHash: string; username: string }>,
): Promise<Array<{ customer_id: string; username: string }>> {
  // Answers the clear usernames asked about, never the stored (sealed) ones.
  return em.execute(
    `select s.customer_id, s.username from profile p
      join jsonb_to_recordset(?::jsonb) as s(customer_id uuid, username_hash text, username text)
        on p.customer_id = s.customer_id and (p.username_hash = s.username_hash or (p.person_key_id is null and p.username = s.username))
     where p.restricted_at is not null`,
    [JSON.stringify(people.map((p) => ({ customer_id: p.customerId, username_hash: p.usernameHash, username: p.username })))],
  );
}
