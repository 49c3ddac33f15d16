import { DomainError } from '../shared/errors';

/** A job for a request that is not (yet) visible: its transaction may not have committed. The job retries. */
export class DeletionRequestNotVisibleError extends DomainError {
  constructor(id: string) {
    super('DELETION_REQUEST_NOT_VISIBLE', `deletion request ${id} is not visible yet`);
  }
}
