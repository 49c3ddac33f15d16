import { EntityManager } from '@mikro-orm/postgresql';

/**
 * Deletes up to `batchSize` FAILED deliveries that failed for good at or before `cutoff`, with
 * their attempts (the foreign key cascades), and returns how many deliveries went. PENDING and
 * SUCCEEDED deliveries are not touched. The partial index `webhook_delivery_failed_index` keeps
 * each batch from scanning the whole table.
 */
export async function deleteFailedDeliveries(em: EntityManager, cutoff: Date, batchSize: number): Promise<number> {
  const rows: unknown[] = await em.execute(
    `delete from webhook_delivery where id in (
       select id from webhook_delivery where status = 'FAILED' and completed_at <= ? order by completed_at limit ?
     ) returning 1`,
    [cutoff, batchSize],
  );
  return rows.length;
}
