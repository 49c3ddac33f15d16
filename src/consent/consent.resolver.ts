import { withheldFrom } from '../shared/pagination';
import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { GraphqlContext, tenantOf } from '../graphql/context';
import { requireScopes } from '../graphql/auth-checker';
import { CONSENTS_PERSONAL } from '../oauth';
// Straight to the pure rule, not through profiles/index.ts: profiles reads consent, so that import would close a circle.
import { disclosureOf, personKey, type RestrictionLookup } from '../profiles/disclosure';
import { ConsentService } from './consent.service';
import type { ConsentDecisionRecord } from './consent-decision.repository';
import { StatsRange } from '../graphql/stats-range';
import { ConsentStatsType } from './consent-stats.type';
import { ConsentDecisionConnection, ConsentDecisionFilterInput, ConsentDecisionType, RevokeConsentDecisionPayload } from './consent-decision.type';

@Resolver(() => ConsentDecisionType)
export class ConsentResolver {
  constructor(
    private readonly consent: ConsentService,
    private readonly restrictions: RestrictionLookup,
  ) {}

  @Authorized('consents:read')
  @Query(() => ConsentDecisionConnection, {
    description: 'Consent decisions, newest first, cursor-paginated. Needs `consents:read` (and `consents.personal` for who, where and what, and to filter by them).',
  })
  async consentDecisions(
    @Ctx() { principal }: GraphqlContext,
    @Arg('filter', () => ConsentDecisionFilterInput, { nullable: true }) filter: ConsentDecisionFilterInput | null,
    @Arg('first', () => Int, { defaultValue: 20, description: 'Page size, 1-100.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor from a previous page.' }) after: string | null,
  ): Promise<ConsentDecisionConnection> {
    // Filtering by user or site would tell who agreed to what to a caller that may not read it.
    if (filter?.username || filter?.realm) requireScopes(principal, [CONSENTS_PERSONAL]);
    const page = await this.consent.list(filter ?? {}, first, after, tenantOf(principal));
    const shown = await this.shown(page.items);
    // Asking for a restricted person's decisions by name would count and date them: they, and the
    // page info they would set, are left out.
    const kept = filter?.username ? withheldFrom(page, (d) => shown(d).activity, (d) => ({ createdAt: d.decidedAt, id: d.id })) : page;
    return { nodes: kept.items.map((d) => ConsentDecisionType.fromRecord(d, shown(d))), pageInfo: { hasNextPage: kept.hasNextPage, endCursor: kept.endCursor } };
  }

  @Authorized('consents:read')
  @Query(() => ConsentStatsType, {
    description:
      'Consent pages approved and denied over a range, for the dashboard\'s chart. Needs `consents:read` (not `consents.personal`: counts only), like the decisions it counts; a customer-bound caller sees only its own customer (another one is NOT_FOUND, as a missing one is), and a token bound to one user is FORBIDDEN.',
  })
  async consentStats(
    @Ctx() { principal }: GraphqlContext,
    @Arg('customerId', () => ID, { description: 'The customer whose consent pages to count.' }) customerId: string,
    @Arg('range', () => StatsRange, { description: 'The period: the last 24 hours or the last 7 days.' }) range: StatsRange,
  ): Promise<ConsentStatsType> {
    return ConsentStatsType.from(await this.consent.stats(customerId, range, tenantOf(principal)));
  }

  @Authorized('consents:write')
  @Mutation(() => RevokeConsentDecisionPayload, { description: 'Revokes a consent decision: the user is asked again next time. Needs `consents:write`.' })
  async revokeConsentDecision(@Ctx() { principal }: GraphqlContext, @Arg('id', () => ID) id: string): Promise<RevokeConsentDecisionPayload> {
    const decision = await this.consent.revoke(id, tenantOf(principal));
    return { consentDecision: ConsentDecisionType.fromRecord(decision, (await this.shown([decision]))(decision)) };
  }

  /** The disclosure rule for each decision's user, with one restriction lookup for the whole page. */
  private async shown(decisions: readonly ConsentDecisionRecord[]) {
    const people = decisions.filter((d) => d.username !== null).map((d) => ({ customerId: d.customerId, username: d.username! }));
    const restricted = await this.restrictions.restrictedAmong(people);
    return (d: ConsentDecisionRecord) => disclosureOf({ isRestricted: d.username !== null && restricted.has(personKey({ customerId: d.customerId, username: d.username })) }, 'read');
  }
}
