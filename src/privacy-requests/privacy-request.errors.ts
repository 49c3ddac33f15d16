import { DomainError } from '../shared/errors';

/** Approving or declining a request that is not waiting for review (already approved, declined or done). */
export class PrivacyRequestNotPendingError extends DomainError {
  constructor(id: string, status: string) {
    super('PRIVACY_REQUEST_NOT_PENDING', `privacy request ${id} is ${status}, not waiting for review`, { status });
  }
}
