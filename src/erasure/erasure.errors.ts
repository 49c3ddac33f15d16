import { DomainError } from '../shared/errors';

/**
 * A job for a request this worker cannot see. Jobs are queued after their request commits, so this
 * means a job for a request that is gone; the job's retries end in failure and nothing is written.
 */
export class DeletionRequestNotVisibleError extends DomainError {
  constructor(id: string) {
    super('DELETION_REQUEST_NOT_VISIBLE', `deletion request ${id} is not visible yet`);
  }
}
