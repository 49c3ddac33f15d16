import { EntityManager } from '@mikro-orm/postgresql';

/**
 * THE rule for when an outbox row has done all its work and may go: the audit worker has moved it
 * onto its chain (`audited_at` set) at or before the cutoff, and the webhook dispatcher has turned
 * it into deliveries (`dispatched_at` set). A new consumer of the outbox adds its condition here,
 * so that no row is purged before every consumer is done with it.
 */
export const OUTBOX_ROW_RELEASED_SQL = 'audited_at is not null and audited_at <= ? and dispatched_at is not null';

/** Deletes up to `batchSize` released outbox rows (see OUTBOX_ROW_RELEASED_SQL) and returns how many went. */
export async function deleteReleasedOutboxRows(em: EntityManager, cutoff: Date, batchSize: number): Promise<number> {
  const rows: unknown[] = await em.execute(
    `delete from audit_outbox where id in (select id from audit_outbox where ${OUTBOX_ROW_RELEASED_SQL} limit ?) returning 1`,
    [cutoff, batchSize],
  );
  return rows.length;
}
