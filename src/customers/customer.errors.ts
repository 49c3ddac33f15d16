import { NotFoundError, ValidationError } from '../shared/errors';

export class CustomerNotFoundError extends NotFoundError {
  constructor(idOrSlug: string) {
    super('customer', idOrSlug);
  }
}

/** A taken slug is bad input like any other: the caller picks another one. */
export class SlugTakenError extends ValidationError {
  constructor(slug: string) {
    super('slug', `slug ${JSON.stringify(slug)} is already taken`);
  }
}
