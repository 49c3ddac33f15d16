import { EntityManager } from '@mikro-orm/postgresql';
import { DeletionKind, DeletionReason, DeletionStatus } from './deletion-request.entity';

/** A deletion request as the purge reads it, under its row lock. */
export interface RequestRow {
  id: string;
  customer_id: string;
  kind: DeletionKind;
  reason: DeletionReason;
  status: DeletionStatus;
  profile_id: string | null;
  subject_hash: string | null;
  username: string | null;
  counts: Record<string, number>;
  failures: number;
}

// ---- what a request is about, locked so that two requests cannot race ----

/** A profile as an erasure reads it: its username sealed under `person_key_id` (clear when that is null). */
export interface LockedProfile {
  id: string;
  customer_id: string;
  username: string;
  person_key_id: string | null;
}

/** The profile with this id (of `customerId` when given), locked for the rest of the transaction. */
export async function lockProfileToErase(em: EntityManager, id: string, customerId?: string): Promise<LockedProfile | undefined> {
  const filter = customerId !== undefined ? ' and customer_id = ?' : '';
  const rows: LockedProfile[] = await em.execute(
    `select id, customer_id, username, person_key_id from profile where id = ?${filter} for update`,
    customerId !== undefined ? [id, customerId] : [id],
  );
  return rows[0];
}

/** The customer with this id, locked for the rest of the transaction. */
export async function lockCustomerToErase(em: EntityManager, id: string): Promise<{ id: string } | undefined> {
  const [customer] = await em.execute<Array<{ id: string }>>(`select id from customer where id = ? for update`, [id]);
  return customer;
}

// ---- deletion requests, as the purge moves them on ----

/** The request, locked for the rest of the transaction; undefined when there is none. */
export async function lockDeletionRequest(em: EntityManager, id: string): Promise<RequestRow | undefined> {
  const [row] = await em.execute<RequestRow[]>(
    `select id, customer_id, kind, reason, status, profile_id, subject_hash, username, counts, failures from deletion_request where id = ? for update`,
    [id],
  );
  return row;
}

/** Requests no worker is moving: PENDING ones, and RUNNING ones without progress since `staleBefore`; oldest first. */
export function selectStalledRequests(em: EntityManager, staleBefore: Date, limit: number): Promise<Array<{ id: string }>> {
  return em.execute<Array<{ id: string }>>(
    `select id from deletion_request
          where status = 'PENDING' or (status = 'RUNNING' and (heartbeat_at is null or heartbeat_at < ?))
          order by requested_at limit ?`,
    [staleBefore, limit],
  );
}

/** The rows a request has removed so far, per table. */
export async function requestCounts(em: EntityManager, id: string): Promise<Record<string, number> | undefined> {
  const [row] = await em.execute<Array<{ counts: Record<string, number> }>>(`select counts from deletion_request where id = ?`, [id]);
  return row?.counts;
}

export async function markRequestRunning(em: EntityManager, id: string, counts: Record<string, number>, now: Date): Promise<void> {
  await em.execute(
    `update deletion_request set status = 'RUNNING', started_at = coalesce(started_at, ?), heartbeat_at = ?, counts = ?::jsonb where id = ?`,
    [now, now, JSON.stringify(counts), id],
    'run',
  );
}

/** COMPLETED, and the username cleared: nothing may keep it once the person is erased. */
export async function markRequestCompleted(em: EntityManager, id: string, now: Date): Promise<void> {
  await em.execute(
    `update deletion_request set status = 'COMPLETED', username = null, completed_at = ?, heartbeat_at = ?, started_at = coalesce(started_at, ?) where id = ?`,
    [now, now, now, id],
    'run',
  );
}

export async function recordRequestFailure(em: EntityManager, id: string, failures: number, error: string): Promise<void> {
  await em.execute(`update deletion_request set failures = ?, last_error = ? where id = ?`, [failures, error, id], 'run');
}

/** Given up: FAILED, and the username cleared. */
export async function markRequestFailed(em: EntityManager, id: string, failures: number, error: string, now: Date): Promise<void> {
  await em.execute(`update deletion_request set status = 'FAILED', username = null, failures = ?, last_error = ?, completed_at = ? where id = ?`, [failures, error, now, id], 'run');
}

/** Completes up to `limit` open requests for single people of the customer (an offboarding covers them); answers how many. */
export async function supersedeProfileRequests(em: EntityManager, customerId: string, limit: number): Promise<number> {
  const superseded: unknown[] = await em.execute(
    `update deletion_request set status = 'COMPLETED', completed_at = now(), username = null
            where id = any(array(select id from deletion_request where customer_id = ? and kind = 'PROFILE' and status in ('PENDING', 'RUNNING') limit ?)) returning id`,
    [customerId, limit],
  );
  return superseded.length;
}

// ---- profile retention ----

/** Customers with a profile retention period, in days. */
export function customersWithRetention(em: EntityManager): Promise<Array<{ id: string; days: number }>> {
  return em.execute<Array<{ id: string; days: number }>>(`select id, profile_retention_days as days from customer where profile_retention_days is not null`);
}

/** Up to `limit` of the customer's profiles not seen since `cutoff` and without an open request, locked (others' locks skipped). */
export function lockProfilesPastRetention(em: EntityManager, customerId: string, cutoff: Date, limit: number): Promise<LockedProfile[]> {
  return em.execute<LockedProfile[]>(
    `select p.id, p.customer_id, p.username, p.person_key_id from profile p
              where p.customer_id = ? and p.last_seen_at < ?
                and not exists (select 1 from deletion_request d where d.profile_id = p.id and d.status in ('PENDING', 'RUNNING'))
              order by p.last_seen_at limit ? for update skip locked`,
    [customerId, cutoff, limit],
  );
}

// ---- the rows a request removes ----

/**
 * Deletes up to `limit` rows of `table` matching `where`, selected by ctid (every table has one,
 * whatever its key), set-based: one statement per batch however many people it covers.
 */
export async function deleteBatch(em: EntityManager, table: string, where: string, params: unknown[], limit: number): Promise<Record<string, number>> {
  const [row]: Array<{ n: number }> = await em.execute(
    `with removed as (delete from "${table}" where ctid = any(array(select ctid from "${table}" where ${where} limit ?)) returning 1)
     select count(*)::int as n from removed`,
    [...params, limit],
  );
  return { [table]: row!.n };
}
