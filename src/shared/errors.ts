/**
 * Base of every domain error. `code` is stable (SCREAMING_SNAKE) and travels to clients; `message`
 * is safe to show; `details` carries structured hints such as the offending field.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that fails validation; `field` names the input field that is wrong. */
export class ValidationError extends DomainError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('BAD_USER_INPUT', message, { field });
  }
}

export class NotFoundError extends DomainError {
  constructor(entity: string, id: string) {
    super('NOT_FOUND', `${entity} ${id} was not found`, { entity });
  }
}

export class ConflictError extends DomainError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('CONFLICT', message, { field });
  }
}
