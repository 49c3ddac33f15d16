import { DomainError } from '../shared/errors';

/** A correction of a field the customer does not let people edit themselves. */
export class FieldNotEditableError extends DomainError {
  constructor(readonly field: string) {
    super('FIELD_NOT_EDITABLE', `${field} cannot be corrected here`, { field });
  }
}

/** An objection without one of the grounds the center offers. */
export class UnknownObjectionGroundsError extends DomainError {
  constructor() {
    super('BAD_USER_INPUT', 'choose the grounds of the objection', { field: 'grounds' });
  }
}

/** The person's profile is gone (erased) or their key is: nothing of theirs can be shown or changed. */
export class AccountGoneError extends DomainError {
  constructor() {
    super('NOT_FOUND', 'the profile of this session no longer exists', { entity: 'profile' });
  }
}
