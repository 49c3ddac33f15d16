import { Field, ID, Int, ObjectType } from 'type-graphql';
import { StatsRange } from '../graphql/stats-range';
import type { ConsentStats } from './consent.service';

@ObjectType('ConsentStats', {
  description:
    'How a customer\'s users answered the consent page over a range, for the dashboard\'s approve/deny chart: counts only, nothing about who or which site. Counts the decisions still stored (an erased person\'s go with them); a revoked decision still counts as the answer it was.',
})
export class ConsentStatsType {
  @Field(() => ID, { description: 'The customer counted.' })
  customerId!: string;

  @Field(() => StatsRange, { description: 'The range asked for.' })
  range!: StatsRange;

  @Field(() => Date, { description: 'Start of the range (inclusive, a whole UTC hour).' })
  since!: Date;

  @Field(() => Date, { description: 'End of the range (exclusive): the end of the current hour.' })
  until!: Date;

  @Field(() => Int, { description: 'Consent pages answered with allow (the relying party got an identity).' })
  approved!: number;

  @Field(() => Int, { description: 'Consent pages answered with deny (the relying party got a cancel).' })
  denied!: number;

  @Field(() => Int, { description: 'Of the approvals, those the user asked to remember: the same site skips the consent page next time until revoked.' })
  rememberedDecisions!: number;

  static from(stats: ConsentStats): ConsentStatsType {
    return Object.assign(new ConsentStatsType(), {
      customerId: stats.customerId,
      range: stats.range,
      since: stats.since,
      until: stats.until,
      approved: stats.approved,
      denied: stats.denied,
      rememberedDecisions: stats.remembered,
    });
  }
}
