/**
 * Whose rows a caller may see and change: every customer's (the platform operator) or one
 * customer's (an OAuth client of that customer). Services that answer API callers take one and
 * filter every query with it, so a resolver cannot forget the filter by omission.
 */
export type Tenant =
  | { readonly kind: 'platform' }
  /** `subject` (an AW username) narrows the view to that one user's rows: a token from a login code. */
  | { readonly kind: 'customer'; readonly customerId: string; readonly subject?: string };

/** The platform operator's view: no customer filter. Only the bootstrap token and internal callers use it. */
export const PLATFORM: Tenant = Object.freeze({ kind: 'platform' });

export function customerTenant(customerId: string, subject?: string): Tenant {
  return subject === undefined ? { kind: 'customer', customerId } : { kind: 'customer', customerId, subject };
}

/** The filter to merge into a query on a table with a `customer` relation. */
export function customerWhere(tenant: Tenant): { customer?: string } {
  return tenant.kind === 'platform' ? {} : { customer: tenant.customerId };
}

/** Whether a row of `customerId` is visible to `tenant`. */
export function canSee(tenant: Tenant, customerId: string): boolean {
  return tenant.kind === 'platform' || tenant.customerId === customerId;
}

/** The filter to merge into a query on a table of per-user rows (a `username` column). */
export function subjectWhere(tenant: Tenant): { username?: string } {
  return tenant.kind === 'customer' && tenant.subject !== undefined ? { username: tenant.subject } : {};
}
