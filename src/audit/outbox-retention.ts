import { EntityManager } from '@mikro-orm/postgresql';

/**
 * THE rule for when an outbox row has done all its work and may go: the audit worker has moved it
 * onto its chain (`audited_at` set) at or before the cutoff. Issue #7 (webhook dispatch) will also
 * consume outbox rows: it must add its own condition here (and to `audit_outbox_moved_index`), so
 * that no row is purged before every consumer is done with it.
 */
export const OUTBOX_ROW_RELEASED_SQL = 'audited_at is not null and audited_at <= ?';

/** Deletes up to `batchSize` released outbox rows (see OUTBOX_ROW_RELEASED_SQL) and returns how many went. */
export async function deleteReleasedOutboxRows(em: EntityManager, cutoff: Date, batchSize: number): Promise<number> {
  const rows: unknown[] = await em.execute(
    `delete from audit_outbox where id in (select id from audit_outbox where ${OUTBOX_ROW_RELEASED_SQL} limit ?) returning 1`,
    [cutoff, batchSize],
  );
  return rows.length;
}
