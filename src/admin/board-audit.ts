import type { AfterHook, BeforeHook } from '@bull-board/api/dist/types';
import { ActorKind, type AuditRecord } from '../audit';
import { principalOf } from './admin-guard';

/**
 * The audit action of each of the board's changing routes (method and route as Bull Board declares
 * them). A changing route missing here (a newer Bull Board) is still audited, as
 * `queue_board.action` with its route.
 */
const ACTIONS: Readonly<Record<string, string>> = {
  'put /api/queues/pause': 'queue_board.all_paused',
  'put /api/queues/resume': 'queue_board.all_resumed',
  'post /api/queues/:queueName/add': 'queue_board.job_added',
  'put /api/queues/:queueName/retry/:queueStatus': 'queue_board.jobs_retried',
  'put /api/queues/:queueName/promote': 'queue_board.jobs_promoted',
  'put /api/queues/:queueName/clean/:queueStatus': 'queue_board.jobs_cleaned',
  'put /api/queues/:queueName/pause': 'queue_board.queue_paused',
  'put /api/queues/:queueName/resume': 'queue_board.queue_resumed',
  'put /api/queues/:queueName/concurrency': 'queue_board.concurrency_set',
  'put /api/queues/:queueName/rate-limit': 'queue_board.rate_limit_set',
  'put /api/queues/:queueName/rate-limit/release': 'queue_board.rate_limit_released',
  'put /api/queues/:queueName/empty': 'queue_board.queue_emptied',
  'put /api/queues/:queueName/obliterate': 'queue_board.queue_obliterated',
  'put /api/queues/:queueName/job-schedulers/:schedulerId/remove': 'queue_board.scheduler_removed',
  'patch /api/queues/:queueName/job-schedulers/:schedulerId': 'queue_board.scheduler_updated',
  'put /api/queues/:queueName/job-schedulers/:schedulerId/run': 'queue_board.scheduler_run',
  'put /api/queues/:queueName/:jobId/retry': 'queue_board.job_retried',
  'put /api/queues/:queueName/:jobId/clean': 'queue_board.job_removed',
  'put /api/queues/:queueName/:jobId/promote': 'queue_board.job_promoted',
  'patch /api/queues/:queueName/:jobId/update-data': 'queue_board.job_data_updated',
  'patch /api/queues/:queueName/:jobId/delay': 'queue_board.job_delay_changed',
  'patch /api/queues/:queueName/:jobId/priority': 'queue_board.job_priority_changed',
  'put /api/queues/:queueName/:jobId/remove-unprocessed-children': 'queue_board.job_children_removed',
};

/** The audit record of a board action, or null for reads. Pure. */
export function boardAuditRecord(method: string, route: string, params: Record<string, unknown>, query: Record<string, unknown>, tokenId: string): AuditRecord | null {
  if (method === 'get') return null;
  const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value.slice(0, 200) : null);
  const queue = text(params.queueName);
  const jobId = text(params.jobId);
  return {
    customerId: null,
    action: ACTIONS[`${method} ${route}`] ?? 'queue_board.action',
    target: jobId !== null ? { type: 'queue_job', id: `${queue}:${jobId}` } : { type: 'queue', id: queue ?? 'all' },
    details: {
      operatorTokenId: tokenId,
      queue,
      jobId,
      status: text(params.queueStatus) ?? text(query.queueStatus),
      schedulerId: text(params.schedulerId),
      route: `${method.toUpperCase()} ${route}`,
    },
    actor: { kind: ActorKind.OPERATOR, id: tokenId },
  };
}

/**
 * Bull Board's `after` hook: once an action has succeeded (a status below 400), records it on the
 * platform chain, naming the operator token of the session. A failed action records nothing.
 */
export function auditBoardActions(record: (event: AuditRecord) => Promise<void>): AfterHook {
  return async (context, result) => {
    if ((result.status ?? 200) >= 400) return result;
    const principal = principalOf(context.request.headers);
    // The guard lets no request through without a principal; should one get here, it is refused, not left unaudited.
    if (!principal) throw new Error('queue board action without a signed-in operator');
    const event = boardAuditRecord(context.method, context.route, context.request.params, context.request.query, principal.tokenId);
    if (event !== null) await record(event);
    return result;
  };
}

/**
 * The board's routes that write a job's data or a schedule. A job's data is what a handler trusts
 * (a back-channel logout job, for one, carries the issuer it signs for): the board retries, cleans,
 * promotes and pauses, but never makes or rewrites work. New jobs come only from the service itself.
 */
export const REFUSED_ROUTES: ReadonlySet<string> = new Set([
  'post /api/queues/:queueName/add',
  'patch /api/queues/:queueName/:jobId/update-data',
  'patch /api/queues/:queueName/job-schedulers/:schedulerId',
]);

/** Bull Board's `before` hook: refuses the routes of REFUSED_ROUTES with 403 before they run. */
export const refuseDataChanges: BeforeHook = (context) =>
  REFUSED_ROUTES.has(`${context.method} ${context.route}`) ? { allow: false, status: 403, message: 'the queue board does not add jobs or change their data or schedules' } : { allow: true };
