import { EntityManager } from '@mikro-orm/postgresql';
import { AuthRequestStatus } from './auth-request.state';

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
 */
export async function deleteRetiredAuthRequests(em: EntityManager, cutoff: Date, batchSize: number): Promise<number> {
  const rows: unknown[] = await em.execute(
    `delete from auth_request where id in (
       select id from (
         (select id from auth_request where status in (${FINISHED_SQL}) and updated_at <= ? limit ?)
         union all
         (select id from auth_request where status not in (${FINISHED_SQL}) and expires_at <= ? limit ?)
       ) retired limit ?)
     returning 1`,
    [cutoff, batchSize, cutoff, batchSize, batchSize],
  );
  return rows.length;
}
