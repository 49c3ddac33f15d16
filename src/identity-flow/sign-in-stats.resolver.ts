import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { GraphqlContext, tenantOf } from '../graphql/context';
import { StatsRange } from '../graphql/stats-range';
import { SignInStatsQueries } from './sign-in-stats.query';
import { SignInStatsType } from './sign-in-stats.type';

@Resolver(() => SignInStatsType)
export class SignInStatsResolver {
  constructor(private readonly stats: SignInStatsQueries) {}

  @Authorized('requests:read')
  @Query(() => SignInStatsType, {
    description:
      'Sign-ins per UTC hour by outcome over a range, for the dashboard\'s chart: counts only, nothing about who or where. Needs `requests:read`; a customer-bound caller sees only its own customer (another one is NOT_FOUND, as a missing one is), and a token bound to one user is FORBIDDEN.',
  })
  async signInStats(
    @Ctx() { principal }: GraphqlContext,
    @Arg('customerId', () => ID, { description: 'The customer whose sign-ins to count.' }) customerId: string,
    @Arg('range', () => StatsRange, { description: 'The period: the last 24 hours or the last 7 days.' }) range: StatsRange,
  ): Promise<SignInStatsType> {
    return SignInStatsType.from(await this.stats.hourly(customerId, range, tenantOf(principal)));
  }
}
