import { EntityManager } from '@mikro-orm/postgresql';
import { executeBound } from '../db/scope';
import { SregField } from '../openid';
import type { Cursor } from '../shared/pagination';

/**
 * A profile as the API reads it: the row's values, no ORM entity. A page of them is never hydrated,
 * registered in the identity map or compared for changes at commit, which cost far more than the
 * query itself for 100 rows.
 */
export type ProfileRecord = {
  id: string;
  customerId: string;
  username: string;
  createdAt: Date;
  updatedAt: Date;
  lastSeenAt: Date;
  restrictedAt: Date | null;
} & Record<SregField, string | null>;

/** Which profiles a page holds: every condition given must hold. */
export interface ProfilePageQuery {
  customerId?: string;
  username?: string;
  /** Profiles with this email whose processing is not restricted (matching a restricted person's address is processing it). */
  email?: string;
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
  created_at: string;
  updated_at: string;
  last_seen_at: string;
  restricted_at: string | null;
} & Record<SregField, string | null>;

/** Profiles oldest first, `(created_at, id)` ascending, in one statement. */
export async function selectProfilePage(em: EntityManager, query: ProfilePageQuery): Promise<ProfileRecord[]> {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const where = (condition: string, ...values: unknown[]) => {
    conditions.push(condition);
    params.push(...values);
  };
  if (query.customerId !== undefined) where('customer_id = ?', query.customerId);
  if (query.username !== undefined) where('username = ?', query.username);
  if (query.email !== undefined) where('email = ? and restricted_at is null', query.email);
  if (query.updatedSince !== undefined) where('updated_at >= ?', query.updatedSince);
  if (query.after !== undefined) where('(created_at, id) > (?, ?)', query.after.createdAt, query.after.id);
  const rows: ProfileRow[] = await em.execute(
    `select id, customer_id, username, nickname, email, fullname, dob, gender, postcode, country, language, timezone,
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

/** What a postback records of a person (see `recordProfile`). */
export interface PostbackRecord {
  customerId: string;
  username: string;
  /** The sreg values the disclosure rule lets the profile record (none for a child). */
  record: Record<string, string>;
  isMinor: boolean;
  /** Whether a restricted person's profile may change (the rule says no). */
  restrictedRecords: boolean;
  now: Date;
  subjectHash: string;
  actor: { kind: string; id: string };
}

/**
 * Creates or updates a person's profile as a postback does, in `em`'s transaction: the SQL
 * function `ids_profile_record` (the LoginSteps migration), which the postback's own statement
 * calls too, so there is one implementation of what a postback records and audits.
 */
export async function recordProfile(em: EntityManager, r: PostbackRecord): Promise<void> {
  await executeBound(em, 'select ids_profile_record(?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?)', [
    r.customerId,
    r.username,
    JSON.stringify(r.record),
    r.isMinor,
    r.restrictedRecords,
    r.now,
    r.subjectHash,
    r.actor.kind,
    r.actor.id,
  ]);
}

/** Of the usernames given per customer, the people whose processing is restricted; one statement. */
export function selectRestrictedPeople(em: EntityManager, usernamesByCustomer: ReadonlyMap<string, ReadonlySet<string>>): Promise<Array<{ customer_id: string; username: string }>> {
  return em.execute(
    `select customer_id, username from profile where restricted_at is not null and (${[...usernamesByCustomer.keys()].map(() => '(customer_id = ? and username in (select jsonb_array_elements_text(?::jsonb)))').join(' or ')})`,
    [...usernamesByCustomer].flatMap(([customerId, usernames]) => [customerId, JSON.stringify([...usernames])]),
  );
}
