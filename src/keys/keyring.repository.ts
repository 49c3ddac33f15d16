import type { EntityManager } from '@mikro-orm/postgresql';
import type { SqlPool } from '../db/sql-pool';

/**
 * The keyring's statements. The keyring is a schema of its own (`keyring`, the EncryptionAtRest
 * migration) that the service's roles cannot read: they call its SECURITY DEFINER functions, one
 * key at a time, by customer and exact id or hash, so no statement of the service can list keys.
 */

export interface StoredCustomerKey {
  version: string;
  wrapped: Buffer;
}

export async function selectCustomerKey(pool: SqlPool, customerId: string): Promise<StoredCustomerKey | null> {
  const { rows } = await pool.query<{ version: string; wrapped: Buffer }>({
    name: 'keyring_customer_key',
    text: 'select kek_version as version, wrapped from keyring.ids_customer_key($1)',
    values: [customerId],
  });
  return rows[0] ?? null;
}

/** Stores a new customer key unless one exists; answers the one that is stored (null: no such customer). */
export async function insertCustomerKey(pool: SqlPool, customerId: string, key: StoredCustomerKey): Promise<StoredCustomerKey | null> {
  const { rows } = await pool.query<{ version: string; wrapped: Buffer }>({
    name: 'keyring_customer_key_create',
    text: 'select kek_version as version, wrapped from keyring.ids_customer_key_create($1, $2, $3)',
    values: [customerId, key.version, key.wrapped],
  });
  return rows[0] ?? null;
}

export interface StoredPersonKey {
  id: string;
  profileId: string;
  wrapped: Buffer;
}

export interface NewPersonKey {
  customerId: string;
  usernameHash: string;
  subjectHash: string;
  id: string;
  profileId: string;
  wrapped: Buffer;
  /** The clear username, only to find a profile written before encryption (never stored). */
  legacyUsername: string;
}

/** The person's key, stored first if they have none (null: no such customer). */
export async function personKeyFor(pool: SqlPool, k: NewPersonKey): Promise<StoredPersonKey | null> {
  const { rows } = await pool.query<StoredPersonKey>({
    name: 'keyring_person_key',
    text: 'select id, profile_id as "profileId", wrapped from keyring.ids_person_key($1, $2, $3, $4, $5, $6, $7)',
    values: [k.customerId, k.usernameHash, k.subjectHash, k.id, k.profileId, k.wrapped, k.legacyUsername],
  });
  return rows[0] ?? null;
}

/** The stored keys among `ids` (a shredded one is simply absent). */
export async function selectPersonKeys(pool: SqlPool, customerId: string, ids: readonly string[]): Promise<StoredPersonKey[]> {
  const { rows } = await pool.query<StoredPersonKey>({
    name: 'keyring_person_keys',
    text: 'select id, profile_id as "profileId", wrapped from keyring.ids_person_keys($1, $2)',
    values: [customerId, ids],
  });
  return rows;
}

/** The person's key by their audit subject hash (the audit worker's way to them), or null. */
export async function selectPersonKeyBySubject(pool: SqlPool, customerId: string, subjectHash: string): Promise<StoredPersonKey | null> {
  const { rows } = await pool.query<StoredPersonKey>({
    name: 'keyring_person_key_by_subject',
    text: 'select id, profile_id as "profileId", wrapped from keyring.ids_person_key_by_subject($1, $2)',
    values: [customerId, subjectHash],
  });
  return rows[0] ?? null;
}

/** The stored keys of the people among `subjectHashes` (by audit subject hash), in one statement. */
export async function selectPersonKeysBySubjects(pool: SqlPool, customerId: string, subjectHashes: readonly string[]): Promise<Array<StoredPersonKey & { subjectHash: string }>> {
  const { rows } = await pool.query<StoredPersonKey & { subjectHash: string }>({
    name: 'keyring_person_keys_by_subject',
    text: 'select id, profile_id as "profileId", wrapped, subject_hash as "subjectHash" from keyring.ids_person_keys_by_subject($1, $2)',
    values: [customerId, subjectHashes],
  });
  return rows;
}

/**
 * Crypto-shredding: deletes the person's key in `em`'s transaction (the one recording the erasure),
 * so every value sealed under it, in this database and in every backup of it, stops opening.
 * Answers how many keys were deleted (0 or 1).
 */
export async function shredPersonKey(em: EntityManager, customerId: string, profileId: string): Promise<number> {
  const rows: Array<{ n: number }> = await em.execute('select keyring.ids_shred_person(?, ?) as n', [customerId, profileId]);
  return Number(rows[0]?.n ?? 0);
}

/** Deletes the customer's key (and so every person key under it) in `em`'s transaction. */
export async function shredCustomerKey(em: EntityManager, customerId: string): Promise<number> {
  const rows: Array<{ n: number }> = await em.execute('select keyring.ids_shred_customer(?) as n', [customerId]);
  return Number(rows[0]?.n ?? 0);
}
