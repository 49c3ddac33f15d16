import { DomainError, NotFoundError } from './errors';
import { isUuid } from './ids';
import { canSee, Tenant } from './tenant';

/** The periods the dashboard's charts cover. The values travel in the API: never rename one, only add. */
export enum StatsRange {
  LAST_24_HOURS = 'LAST_24_HOURS',
  LAST_7_DAYS = 'LAST_7_DAYS',
}

const HOURS: Readonly<Record<StatsRange, number>> = { [StatsRange.LAST_24_HOURS]: 24, [StatsRange.LAST_7_DAYS]: 168 };

const HOUR_MS = 3_600_000;

/**
 * The hours a chart covers: whole UTC hours (`since` inclusive, `until` exclusive), the last one the
 * hour `now` falls in (still running), so a 24-hour chart always has 24 bars. UTC boundaries are
 * whole hours in every time zone a browser can be in but the few with a 30- or 45-minute offset,
 * which show them as such.
 */
export interface StatsWindow {
  range: StatsRange;
  since: Date;
  until: Date;
  /** How many hourly buckets: 24 or 168. */
  hours: number;
}

export function statsWindow(range: StatsRange, now: Date): StatsWindow {
  const hours = HOURS[range];
  const until = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS);
  return { range, since: new Date(until.getTime() - hours * HOUR_MS), until, hours };
}

/** A caller bound to one user asked for customer-wide counts: other people's activity. */
export class StatsNotForOneUserError extends DomainError {
  constructor() {
    super('FORBIDDEN', 'counts over a whole customer are not available to a token bound to one user');
  }
}

/**
 * The customer whose counts `tenant` asks for, lower-cased, checked without a query: a malformed id
 * or another customer's (for a customer-bound caller) is NOT_FOUND, exactly like a missing one, so
 * a caller learns nothing of other customers. Whether it exists is for the counting statement to
 * say (it answers no rows for a customer it cannot find).
 */
export function statsCustomerId(customerId: string, tenant: Tenant): string {
  const id = customerId.toLowerCase();
  if (!isUuid(id) || !canSee(tenant, id)) throw new NotFoundError('customer', customerId);
  if (tenant.kind === 'customer' && tenant.subject !== undefined) throw new StatsNotForOneUserError();
  return id;
}
