import { EntityManager } from '@mikro-orm/postgresql';
import { OPEN_PRIVACY_STATUSES, PrivacyRequestStatus } from './privacy-request.entity';

/** A request as a completion hook moved it on: what its audit event names. */
export interface CompletedRow {
  id: string;
  customer_id: string;
  kind: string;
  subject_hash: string;
  profile_id: string | null;
}

/**
 * IN_PROGRESS requests answered by `column` = `value` (an export, an erasure) made COMPLETED, in one
 * compare-and-set statement: a second call (the job retried, the sweep) finds none and moves nothing.
 */
export function completeInProgress(
  em: EntityManager,
  column: 'export_id' | 'deletion_request_id',
  value: string,
  outcome: string,
  now: Date,
): Promise<CompletedRow[]> {
  return em.execute<CompletedRow[]>(
    `update privacy_request set status = '${PrivacyRequestStatus.COMPLETED}', completed_at = ?, updated_at = ?, outcome = ?
      where ${column} = ? and status = '${PrivacyRequestStatus.IN_PROGRESS}'
      returning id, customer_id, kind, subject_hash, profile_id`,
    [now, now, outcome, value],
  );
}

/** Open requests (waiting for review or in progress) past their due date, every customer's of the database (platform path). */
export async function countOverdue(em: EntityManager, now: Date): Promise<number> {
  const [row] = await em.execute<Array<{ n: number }>>(
    `select count(*)::int as n from privacy_request where status in (${OPEN_PRIVACY_STATUSES.map((s) => `'${s}'`).join(', ')}) and due_at < ?`,
    [now],
  );
  return row?.n ?? 0;
}
