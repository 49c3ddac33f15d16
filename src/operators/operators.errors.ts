import { DomainError, NotFoundError } from '../shared/errors';

export class OperatorTokenNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('operator token', id);
  }
}

/** A customer-bound owner tried to create a token beyond its own customer. */
export class OperatorTokenOutOfTenantError extends DomainError {
  constructor() {
    super('FORBIDDEN', 'a customer-bound owner may only create tokens bound to its own customer');
  }
}
