import { EntityManager } from '@mikro-orm/postgresql';
import { Clock } from '../shared/clock';
import { NotFoundError } from '../shared/errors';
import { StatsRange, statsCustomerId, StatsWindow, statsWindow } from '../shared/stats-window';
import { Tenant } from '../shared/tenant';
import { selectSignInHours, SignInHourCounts } from './sign-in-stats.repository';

/** A customer's sign-ins per hour over a chart's range. */
export interface SignInStats extends StatsWindow {
  customerId: string;
  /** One per hour of the range, oldest first, zeros included. */
  buckets: SignInHourCounts[];
}

/** Read side of sign-in counts, for the dashboard's charts: one statement per chart. */
export class SignInStatsQueries {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
  ) {}

  /**
   * Sign-ins of `customerId` per UTC hour over `range`, by outcome. Another tenant's customer, a
   * malformed id and a missing customer are all NOT_FOUND; a caller bound to one user is FORBIDDEN.
   */
  async hourly(customerId: string, range: StatsRange, tenant: Tenant): Promise<SignInStats> {
    const id = statsCustomerId(customerId, tenant);
    const now = this.clock.now();
    const window = statsWindow(range, now);
    const buckets = await selectSignInHours(this.em, id, window.since, window.until, now);
    if (buckets.length === 0) throw new NotFoundError('customer', customerId);
    return { ...window, customerId: id, buckets };
  }
}
