import { EntityManager } from '@mikro-orm/postgresql';

/** An audit outbox event as the webhook dispatcher reads it: the person only by the payload's subject. */
export interface OutboxEventRow {
  id: string;
  customer_id: string | null;
  action: string;
  occurred_at: Date;
  target_type: string;
  target_id: string | null;
  fields: string[];
  details: Record<string, unknown> | null;
  subject_hash: string | null;
  subject: string | null;
}

/** Locks and reads up to `batchSize` outbox events not yet dispatched, oldest first; rows another dispatcher holds are skipped. */
export function lockUndispatchedOutboxEvents(em: EntityManager, batchSize: number): Promise<OutboxEventRow[]> {
  return em.execute(
    `select id, customer_id, action, occurred_at, target_type, target_id, fields, details, subject_hash, payload->>'subject' as subject
         from audit_outbox where dispatched_at is null order by id limit ? for update skip locked`,
    [batchSize],
  );
}

/** Marks events as dispatched; the payload goes too when the audit drain has read it already. */
export async function markOutboxEventsDispatched(em: EntityManager, ids: readonly string[], dispatchedAt: Date): Promise<void> {
  await em.execute(
    `update audit_outbox set dispatched_at = ?, payload = case when audited_at is not null then null else payload end where id = any(?::bigint[])`,
    [dispatchedAt, `{${ids.join(',')}}`],
    'run',
  );
}
