import { EntityManager } from '@mikro-orm/postgresql';
import { ProfileExportStatus } from './profile-export.entity';

/** An export as its builder reads it, locked. */
export interface ExportToBuild {
  id: string;
  customer_id: string;
  profile_id: string;
  status: string;
  is_subject_access_request: boolean;
}

/** An export as its download link reads it, with the restriction of its person. */
export interface ExportToDownload {
  id: string;
  status: string;
  document: Buffer | null;
  expires_at: Date | null;
  ready_at: Date | null;
  is_subject_access_request: boolean;
  restricted_at: Date | null;
  customer_id: string;
  /** The person key the document is sealed under (null: sealed before encryption, under SECRET_KEY). */
  person_key_id: string | null;
}

/** The export, locked for the rest of the transaction; undefined when missing or another worker holds it. */
export async function lockExportToBuild(em: EntityManager, exportId: string): Promise<ExportToBuild | undefined> {
  const [row] = await em.execute<ExportToBuild[]>(
    `select id, customer_id, profile_id, status, is_subject_access_request from profile_export where id = ? for update skip locked`,
    [exportId],
  );
  return row;
}

/** The username of the export's profile (sealed under `person_key_id`, clear when that is null); undefined once the profile is erased. */
export async function usernameOfProfile(em: EntityManager, profileId: string): Promise<{ username: string; person_key_id: string | null } | undefined> {
  const [profile] = await em.execute<Array<{ username: string; person_key_id: string | null }>>(`select username, person_key_id from profile where id = ?`, [profileId]);
  return profile;
}

export async function markExportReady(em: EntityManager, id: string, sealed: Buffer, personKeyId: string, readyAt: Date, expiresAt: Date): Promise<void> {
  await em.execute(
    `update profile_export set status = ?, document = ?, person_key_id = ?, ready_at = ?, expires_at = ?, attempts = attempts + 1 where id = ?`,
    [ProfileExportStatus.READY, sealed, personKeyId, readyAt, expiresAt, id],
    'run',
  );
}

/** Counts a failed build of a PENDING export; the `maxAttempts`-th makes it FAILED. Answers its status, undefined when it was not PENDING. */
export async function countBuildFailure(em: EntityManager, exportId: string, maxAttempts: number, now: Date): Promise<string | undefined> {
  const rows = await em.execute<Array<{ status: string }>>(
    `update profile_export set attempts = attempts + 1,
              status = case when attempts + 1 >= ? then 'FAILED' else status end,
              failed_at = case when attempts + 1 >= ? then ?::timestamptz else failed_at end
        where id = ? and status = 'PENDING' returning status`,
    [maxAttempts, maxAttempts, now, exportId],
  );
  return rows[0]?.status;
}

/** PENDING exports, oldest first. */
export function selectPendingExports(em: EntityManager, limit: number): Promise<Array<{ customer_id: string; id: string }>> {
  return em.execute<Array<{ customer_id: string; id: string }>>(
    `select customer_id, id from profile_export where status = 'PENDING' order by requested_at, id limit ?`,
    [limit],
  );
}

/** Drops the documents of up to `batchSize` READY exports expired at `now` and marks them EXPIRED; answers how many. */
export async function expireReadyExports(em: EntityManager, now: Date, batchSize: number): Promise<number> {
  const rows: unknown[] = await em.execute(
    `update profile_export set status = 'EXPIRED', document = null, purged_at = ?
        where id in (select id from profile_export where status = 'READY' and expires_at <= ? order by expires_at limit ? for update skip locked)
        returning 1`,
    [now, now, batchSize],
  );
  return rows.length;
}

export async function findExportToDownload(em: EntityManager, id: string): Promise<ExportToDownload | undefined> {
  const [row] = await em.execute<ExportToDownload[]>(
    `select e.id, e.status, e.document, e.expires_at, e.ready_at, e.is_subject_access_request, p.restricted_at, e.customer_id, e.person_key_id
         from profile_export e join profile p on p.id = e.profile_id
        where e.id = ?`,
    [id],
  );
  return row;
}

// ---- what an export document holds: the person's rows, read as they are ----

export async function profileRow(em: EntityManager, customerId: string, profileId: string): Promise<Record<string, unknown> | undefined> {
  const [row] = await em.execute<Array<Record<string, unknown>>>(`select * from profile where id = ? and customer_id = ?`, [profileId, customerId]);
  return row;
}

/** How the person's rows are found: sealed ones by the username's lookup hash, ones written before encryption by the clear name. */
export interface PersonMatch {
  usernameHash: string;
  username: string;
}

const NAMED = `(username_hash = ? or (person_key_id is null and username = ?))`;

export function consentRowsOf(em: EntityManager, customerId: string, who: PersonMatch): Promise<Array<Record<string, unknown>>> {
  return em.execute<Array<Record<string, unknown>>>(
    `select id, realm, decision, granted_fields, is_remembered, auth_request_id, decided_at, revoked_at
       from consent_decision where customer_id = ? and ${NAMED} order by decided_at, id`,
    [customerId, who.usernameHash, who.username],
  );
}

/** The person's auth requests; `request_id_hash` is there only to open the posted values (their AAD). */
export function authRequestRowsOf(em: EntityManager, customerId: string, who: PersonMatch): Promise<Array<Record<string, unknown>>> {
  return em.execute<Array<Record<string, unknown>>>(
    `select id, mode, realm, return_to, status, outcome, requested_fields, required_fields, released_fields, supplied, is_minor,
            no_prompt, auth_time, auth_policies, failure_reason, created_at, updated_at, expires_at, request_id_hash
       from auth_request where customer_id = ? and ${NAMED} order by created_at, id`,
    [customerId, who.usernameHash, who.username],
  );
}

export function transitionRowsOf(em: EntityManager, customerId: string, authRequestIds: readonly string[]): Promise<Array<Record<string, unknown>>> {
  return em.execute<Array<Record<string, unknown>>>(
    `select auth_request_id, event, from_status, to_status, at, reason from auth_request_transition
          where customer_id = ? and auth_request_id = any(?::uuid[]) order by at, id`,
    [customerId, `{${authRequestIds.join(',')}}`],
  );
}

/** Chained events with their payloads, then the ones still waiting in the outbox (not chained yet). */
export function auditRowsOf(em: EntityManager, customerId: string, subjectHash: string): Promise<Array<Record<string, unknown>>> {
  return em.execute<Array<Record<string, unknown>>>(
    `select e.id, e.seq, e.occurred_at, e.recorded_at, e.actor_kind, e.actor_id, e.action, e.target_type, e.target_id, e.fields, e.details,
            p.data as payload, false as is_pending
       from audit_event e left join audit_payload p on p.event_id = e.id
      where e.customer_id = ? and e.subject_hash = ?
     union all
     select null, null, o.occurred_at, null, o.actor_kind, o.actor_id, o.action, o.target_type, o.target_id, o.fields, o.details,
            o.payload, true
       from audit_outbox o
      where o.customer_id = ? and o.subject_hash = ? and o.audited_at is null
     order by occurred_at, seq nulls last`,
    [customerId, subjectHash, customerId, subjectHash],
  );
}
