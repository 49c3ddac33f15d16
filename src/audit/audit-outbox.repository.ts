import { EntityManager } from '@mikro-orm/postgresql';
import { executeBound } from '../db/scope';

/**
 * THE rule for when an outbox row has done all its work and may go: the audit worker has moved it
 * onto its chain (`audited_at` set) at or before the cutoff, and the webhook dispatcher has turned
 * it into deliveries (`dispatched_at` set). A new consumer of the outbox adds its condition here,
 * so that no row is purged before every consumer is done with it.
 */
export const OUTBOX_ROW_RELEASED_SQL = 'audited_at is not null and audited_at <= ? and dispatched_at is not null';

/** Serialises drains across processes, so each chain grows one link at a time. */
const DRAIN_LOCK = 0x61756469; // 'audi'

/** An outbox row as the drain reads it. */
export interface OutboxRow {
  id: string;
  customer_id: string | null;
  occurred_at: Date;
  actor_kind: string;
  actor_id: string;
  action: string;
  target_type: string;
  target_id: string | null;
  subject_hash: string | null;
  fields: string[];
  details: Record<string, unknown> | null;
  payload: Record<string, unknown> | null;
  /** The span that wrote it (a W3C traceparent), when tracing was on. */
  trace_parent: string | null;
}

/** An outbox row as the writer adds it. */
export interface NewOutboxRow {
  customerId: string | null;
  occurredAt: Date;
  actorKind: string;
  actorId: string;
  action: string;
  targetType: string;
  targetId: string | null;
  subjectHash: string | null;
  fields: readonly string[];
  details: Record<string, unknown> | null;
  payload: Record<string, unknown> | null;
}

/** Whose audit payloads an erasure clears: a whole customer's, or one person's by keyed hash. */
export interface PayloadOwner {
  customerId: string;
  subjectHash?: string;
}

/** Adds one event to the outbox, in `em`'s transaction. */
export async function insertOutboxRow(em: EntityManager, row: NewOutboxRow): Promise<void> {
  await em.execute(
    `insert into audit_outbox (customer_id, occurred_at, actor_kind, actor_id, action, target_type, target_id, subject_hash, fields, details, payload)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?::text[], ?::jsonb, ?::jsonb)`,
    [
      row.customerId,
      row.occurredAt,
      row.actorKind,
      row.actorId,
      row.action,
      row.targetType,
      row.targetId,
      row.subjectHash,
      textArray(row.fields),
      row.details ? JSON.stringify(row.details) : null,
      row.payload ? JSON.stringify(row.payload) : null,
    ],
    'run',
  );
}

/** Takes the drain's lock until the transaction ends: while it is held no payload moves from the outbox to `audit_payload`. */
export async function lockDrain(em: EntityManager): Promise<void> {
  await em.execute('select pg_advisory_xact_lock(?)', [DRAIN_LOCK], 'run');
}

/** Up to `batchSize` outbox rows not yet on their chain, oldest first. */
export function selectUnchainedOutboxRows(em: EntityManager, batchSize: number): Promise<OutboxRow[]> {
  return executeBound(
    em,
    `select id, customer_id, occurred_at, actor_kind, actor_id, action, target_type, target_id, subject_hash, fields, details, payload, trace_parent
         from audit_outbox where audited_at is null order by id limit ?`,
    [batchSize],
  );
}

/**
 * How many outbox rows the drain has not chained yet (`audited_at` unset, as the drain marks them)
 * and how old the oldest is at `now`, in seconds (null when none waits). One statement over the
 * partial index of pending rows (audit_outbox_pending_index), so a metrics scrape stays cheap.
 */
export async function selectOutboxBacklog(em: EntityManager, now: Date): Promise<{ undrained: number; oldestSeconds: number | null }> {
  const [row] = await executeBound<{ undrained: number; oldest_seconds: number | null }>(
    em,
    `select count(*)::int as undrained, extract(epoch from (?::timestamptz - min(occurred_at)))::float8 as oldest_seconds from audit_outbox where audited_at is null`,
    [now],
  );
  return { undrained: row?.undrained ?? 0, oldestSeconds: row?.oldest_seconds == null ? null : Math.max(0, row.oldest_seconds) };
}

/** Marks rows as chained; the payload goes too when the webhook dispatcher has read it already. */
export async function markOutboxRowsAudited(em: EntityManager, ids: readonly string[], auditedAt: Date): Promise<void> {
  await em.execute(
    `update audit_outbox set audited_at = ?, payload = case when dispatched_at is not null then null else payload end where id = any(?::bigint[])`,
    [auditedAt, `{${ids.join(',')}}`],
    'run',
  );
}

/** Clears up to `batchSize` payloads of `who` still in the outbox; answers how many. */
export async function clearOutboxPayloads(em: EntityManager, who: PayloadOwner, batchSize: number): Promise<number> {
  const subject = who.subjectHash === undefined ? '' : ' and subject_hash = ?';
  const params = who.subjectHash === undefined ? [who.customerId] : [who.customerId, who.subjectHash];
  const outbox: Array<{ id: string }> = await em.execute(
    `update audit_outbox set payload = null
        where id = any(array(select id from audit_outbox where customer_id = ?${subject} and payload is not null limit ?)) returning id`,
    [...params, batchSize],
  );
  return outbox.length;
}

/** Deletes up to `batchSize` released outbox rows (see OUTBOX_ROW_RELEASED_SQL) and returns how many went. */
export async function deleteReleasedOutboxRows(em: EntityManager, cutoff: Date, batchSize: number): Promise<number> {
  const rows: unknown[] = await em.execute(
    `delete from audit_outbox where id in (select id from audit_outbox where ${OUTBOX_ROW_RELEASED_SQL} limit ?) returning 1`,
    [cutoff, batchSize],
  );
  return rows.length;
}

/** A PostgreSQL text[] literal (knex would expand a JS array into a list of parameters). */
export function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}
