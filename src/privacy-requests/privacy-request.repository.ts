import { EntityManager } from '@mikro-orm/postgresql';
import { OPEN_PRIVACY_STATUSES, PrivacyRequest, PrivacyRequestKind, PrivacyRequestStatus } from './privacy-request.entity';

const OPEN_SQL = OPEN_PRIVACY_STATUSES.map((s) => `'${s}'`).join(', ');

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

/** The person's open DELETION request (at most one: the partial unique index `privacy_request_open_deletion_unique`). */
export function findOpenDeletion(em: EntityManager, customerId: string, subjectHash: string): Promise<PrivacyRequest | null> {
  return em.findOne(PrivacyRequest, { customer: customerId, subjectHash, kind: PrivacyRequestKind.DELETION, status: { $in: [...OPEN_PRIVACY_STATUSES] } });
}

/** The person's objection on `grounds` still waiting for review, if any. */
export async function findPendingObjection(em: EntityManager, customerId: string, subjectHash: string, grounds: unknown): Promise<PrivacyRequest | null> {
  const pending = await em.find(
    PrivacyRequest,
    { customer: customerId, subjectHash, kind: PrivacyRequestKind.OBJECTION, status: PrivacyRequestStatus.PENDING_REVIEW },
    { orderBy: { receivedAt: 'asc', id: 'asc' } },
  );
  return pending.find((r) => r.details.grounds === grounds) ?? null;
}

/** Every open DELETION request of the person made COMPLETED with `outcome` (their erasure is done, whichever way it came). */
export function completeOpenDeletionsOf(em: EntityManager, customerId: string, subjectHash: string, outcome: string, now: Date): Promise<CompletedRow[]> {
  return em.execute<CompletedRow[]>(
    `update privacy_request set status = '${PrivacyRequestStatus.COMPLETED}', completed_at = ?, updated_at = ?, outcome = ?
      where customer_id = ? and subject_hash = ? and kind = '${PrivacyRequestKind.DELETION}' and status in (${OPEN_SQL})
      returning id, customer_id, kind, subject_hash, profile_id`,
    [now, now, outcome, customerId, subjectHash],
  );
}

/**
 * The person's requests whose outcome someone typed (an approval's note, a decline's reason: the
 * request was decided by someone and its outcome is none of the service's `fixed` texts) get
 * `replacement` instead. Answers how many.
 */
export async function replaceTypedOutcomesOf(em: EntityManager, customerId: string, subjectHash: string, fixed: readonly string[], replacement: string, now: Date): Promise<number> {
  const kept = [...fixed, replacement];
  const rows = await em.execute<Array<{ id: string }>>(
    `update privacy_request set outcome = ?, updated_at = ?
      where customer_id = ? and subject_hash = ? and decided_by_kind is not null and outcome is not null and outcome not in (${kept.map(() => '?').join(', ')})
      returning id`,
    [replacement, now, customerId, subjectHash, ...kept],
  );
  return rows.length;
}

/** Open requests (waiting for review or in progress) past their due date, every customer's of the database (platform path). */
export async function countOverdue(em: EntityManager, now: Date): Promise<number> {
  const [row] = await em.execute<Array<{ n: number }>>(
    `select count(*)::int as n from privacy_request where status in (${OPEN_SQL}) and due_at < ?`,
    [now],
  );
  return row?.n ?? 0;
}
