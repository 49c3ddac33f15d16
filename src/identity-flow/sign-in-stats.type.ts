import { Field, ID, Int, ObjectType } from 'type-graphql';
import { StatsRange } from '../graphql/stats-range';
import type { SignInHourCounts } from './sign-in-stats.repository';
import type { SignInStats } from './sign-in-stats.query';

/**
 * One UTC hour of sign-ins. The six outcome counts are disjoint and add up to `total`, so a chart
 * can stack them; each request counts once, in the hour it arrived, under the outcome it has now.
 */
@ObjectType('SignInHour', { description: 'The sign-ins (authentication requests) that arrived in one UTC hour, by outcome. The six counts are disjoint and add up to `total`.' })
export class SignInHourType {
  @Field(() => Date, { description: 'The start of the hour (a whole UTC hour); the hour runs to the next bucket\'s start.' })
  hourStart!: Date;

  @Field(() => Int, { description: 'Answered with an identity: an OpenID 2.0 positive assertion (`outcome` id_res) or an OpenID Connect authorization code.' })
  succeeded!: number;

  @Field(() => Int, { description: 'The user said no on the consent page: the relying party got a cancel (see `consentStats` for the decisions themselves).' })
  declined!: number;

  @Field(() => Int, { description: 'The user gave up at the login site: the AW posted back a cancel, or the browser came back before any postback. The relying party got a cancel.' })
  cancelled!: number;

  @Field(() => Int, { description: 'Ended without an identity for another reason the service decided (e.g. the AW logged in another user than the relying party asked about); `AuthRequest.failureReason` says which.' })
  failed!: number;

  @Field(() => Int, { description: 'Never finished: expired (status EXPIRED, or still open past its expiry).' })
  expired!: number;

  @Field(() => Int, { description: 'Still open and not expired: waiting for the AW\'s postback, the browser\'s return or the consent page.' })
  inProgress!: number;

  @Field(() => Int, { description: 'Every sign-in that arrived in the hour: the sum of the six counts.' })
  total!: number;

  static from(counts: SignInHourCounts): SignInHourType {
    return Object.assign(new SignInHourType(), { ...counts });
  }
}

@ObjectType('SignInStats', {
  description:
    'A customer\'s sign-ins per hour over a range, for the dashboard\'s chart. Counts only requests still stored: finished ones are purged AUTH_REQUEST_RETENTION_HOURS after they finished (24 by default), so a 7-day chart needs that set to at least 168.',
})
export class SignInStatsType {
  @Field(() => ID, { description: 'The customer counted.' })
  customerId!: string;

  @Field(() => StatsRange, { description: 'The range asked for.' })
  range!: StatsRange;

  @Field(() => Date, { description: 'Start of the first bucket (inclusive, a whole UTC hour).' })
  since!: Date;

  @Field(() => Date, { description: 'End of the last bucket (exclusive): the end of the current hour, whose bucket is still filling.' })
  until!: Date;

  @Field(() => [SignInHourType], { description: 'Every hour of the range, oldest first, zero counts included: 24 for LAST_24_HOURS, 168 for LAST_7_DAYS.' })
  buckets!: SignInHourType[];

  static from(stats: SignInStats): SignInStatsType {
    return Object.assign(new SignInStatsType(), {
      customerId: stats.customerId,
      range: stats.range,
      since: stats.since,
      until: stats.until,
      buckets: stats.buckets.map(SignInHourType.from),
    });
  }
}
