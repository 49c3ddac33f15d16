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

/**
 * Claims up to `limit` PENDING deliveries due at `now` (or whose claim has lapsed) until
 * `claimedUntil`, skipping rows another dispatcher holds; answers each with its attempts so far.
 */
export function claimDueDeliveries(em: EntityManager, now: Date, claimedUntil: Date, limit: number): Promise<Array<{ id: string; attempts: number }>> {
  return em.execute(
    `update webhook_delivery set claimed_until = ?
        where id in (select id from webhook_delivery
                      where status = 'PENDING' and next_attempt_at <= ? and (claimed_until is null or claimed_until < ?)
                      order by next_attempt_at limit ? for update skip locked)
        returning id, attempts`,
    [claimedUntil, now, now, limit],
  );
}
