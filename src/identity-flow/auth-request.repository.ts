import { EntityManager } from '@mikro-orm/postgresql';
import { AuthRequestStatus } from './auth-request.state';
import { ANSWERED_COUNTS_PARAMS, ANSWERED_COUNTS_SQL, HOUR_OF_REQUEST_SQL, RETIRED_EXPIRED_COUNT_SQL } from './sign-in-stats.repository';

/**
 * States after which a request has had its answer (or never will): kept `retention` after its last
 * change (`updated_at`), then purged. CANCELLED can still become COMPLETED when the browser comes
 * back, but only until it expires, and the shortest retention (1 hour) is never shorter than the
 * longest AUTH_REQUEST_TTL_SECONDS (1 hour), so the purge never takes one that can still move.
 */
export const FINISHED_STATES: readonly AuthRequestStatus[] = [AuthRequestStatus.COMPLETED, AuthRequestStatus.CANCELLED, AuthRequestStatus.EXPIRED];

const FINISHED_SQL = FINISHED_STATES.map((s) => `'${s}'`).join(', ');

/**
 * Deletes up to `batchSize` authentication requests (their transitions cascade) that finished at or
 * before `cutoff`, or, never finished, expired at or before it; returns how many went. Each half
 * has its index: `auth_request_finished_index` (partial, on updated_at) and `auth_request_expires_at_index`.
 *
 * The same statement folds each deleted request into its customer's and hour's counts
 * (`sign_in_hour_count`), classified as the chart's read classifies it (sign-in-stats.repository.ts),
 * so the 7-day chart outlives the requests and keeps nothing about a person. One statement makes it
 * atomic: a request is counted live or rolled up, never both; a concurrent purge's delete skips the
 * rows this one deleted, so it cannot fold them again. Inserted in key order, so two concurrent
 * purges lock the count rows in the same order.
 */
export async function deleteRetiredAuthRequests(em: EntityManager, cutoff: Date, batchSize: number): Promise<number> {
  const [row]: Array<{ n: number }> = await em.execute(
    `with gone as (
       delete from auth_request where id in (
         select id from (
           (select id from auth_request where status in (${FINISHED_SQL}) and updated_at <= ? limit ?)
           union all
           (select id from auth_request where status not in (${FINISHED_SQL}) and expires_at <= ? limit ?)
         ) retired limit ?)
       returning customer_id, created_at, status, outcome, failure_reason),
     folded as (
       insert into sign_in_hour_count as s (customer_id, hour_start, succeeded, declined, cancelled, failed, expired)
       select r.customer_id, ${HOUR_OF_REQUEST_SQL}, ${ANSWERED_COUNTS_SQL}, ${RETIRED_EXPIRED_COUNT_SQL}
         from gone r
        group by 1, 2
        order by 1, 2
       on conflict (customer_id, hour_start) do update
          set succeeded = s.succeeded + excluded.succeeded, declined = s.declined + excluded.declined,
              cancelled = s.cancelled + excluded.cancelled, failed = s.failed + excluded.failed,
              expired = s.expired + excluded.expired)
     select count(*)::int as n from gone`,
    [cutoff, batchSize, cutoff, batchSize, batchSize, ...ANSWERED_COUNTS_PARAMS],
  );
  return row!.n;
}
