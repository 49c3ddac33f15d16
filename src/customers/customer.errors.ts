import { DomainError, NotFoundError, ValidationError } from '../shared/errors';

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

/** A customer's region is fixed at creation: its data moves only by `moveCustomerRegion`, tracked and verified. */
export class RegionChangeRefusedError extends DomainError {
  constructor(current: string, asked: string) {
    super(
      'REGION_CHANGE_REFUSED',
      `a customer's region is fixed at creation (this one's data is stored in ${current}); to store it in ${asked}, move it with moveCustomerRegion (platform owners)`,
      { field: 'region' },
    );
  }
}

/** A customer created in a region this deployment does not serve. */
export class RegionNotServedError extends DomainError {
  constructor(asked: string, served: readonly string[]) {
    super('REGION_NOT_SERVED', `region ${asked} is not served by this deployment (it serves ${served.join(', ')}); create the customer through a deployment of ${asked}`, {
      field: 'region',
    });
  }
}
