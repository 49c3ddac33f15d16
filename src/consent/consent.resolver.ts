import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { GraphqlContext, tenantOf } from '../graphql/context';
import { ConsentService } from './consent.service';
import { ConsentDecisionConnection, ConsentDecisionFilterInput, ConsentDecisionType, RevokeConsentDecisionPayload } from './consent-decision.type';

@Resolver(() => ConsentDecisionType)
export class ConsentResolver {
  constructor(private readonly consent: ConsentService) {}

  @Authorized('consents:read')
  @Query(() => ConsentDecisionConnection, { description: 'Consent decisions, newest first, cursor-paginated. Needs `consents:read`.' })
  async consentDecisions(
    @Ctx() { principal }: GraphqlContext,
    @Arg('filter', () => ConsentDecisionFilterInput, { nullable: true }) filter: ConsentDecisionFilterInput | null,
    @Arg('first', () => Int, { defaultValue: 20, description: 'Page size, 1-100.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor from a previous page.' }) after: string | null,
  ): Promise<ConsentDecisionConnection> {
    const page = await this.consent.list(filter ?? {}, first, after, tenantOf(principal));
    return { nodes: page.items.map(ConsentDecisionType.from), pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
  }

  @Authorized('consents:write')
  @Mutation(() => RevokeConsentDecisionPayload, { description: 'Revokes a consent decision: the user is asked again next time. Needs `consents:write`.' })
  async revokeConsentDecision(@Ctx() { principal }: GraphqlContext, @Arg('id', () => ID) id: string): Promise<RevokeConsentDecisionPayload> {
    return { consentDecision: ConsentDecisionType.from(await this.consent.revoke(id, tenantOf(principal))) };
  }
}
