import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { missingScopes, requireScopes } from '../graphql/auth-checker';
import { GraphqlContext, tenantOf } from '../graphql/context';
import { NotFoundError } from '../shared/errors';
import type { Tenant } from '../shared/tenant';
import { PrivacyRequestKind } from './privacy-request.entity';
import { PrivacyRequestService } from './privacy-request.service';
import { ApprovePrivacyRequestPayload, DeclinePrivacyRequestPayload, PrivacyRequestConnection, PrivacyRequestFilterInput, PrivacyRequestType } from './privacy-request.type';

@Resolver(() => PrivacyRequestType)
export class PrivacyRequestResolver {
  constructor(private readonly requests: PrivacyRequestService) {}

  @Authorized('profiles:read')
  @Query(() => PrivacyRequestConnection, {
    description: 'Data subjects\' requests from the privacy center, newest first, cursor-paginated, with their due dates. Needs `profiles:read`; a customer-bound caller sees its own customer\'s only.',
  })
  async privacyRequests(
    @Ctx() { principal }: GraphqlContext,
    @Arg('customerId', () => ID, { nullable: true, description: 'Only this customer\'s requests.' }) customerId: string | null,
    @Arg('filter', () => PrivacyRequestFilterInput, { nullable: true, description: 'Kind, status, overdue.' }) filter: PrivacyRequestFilterInput | null,
    @Arg('first', () => Int, { defaultValue: 20, description: 'Page size, 1-100.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor from a previous page.' }) after: string | null,
  ): Promise<PrivacyRequestConnection> {
    const page = await this.requests.list({ ...filter, customerId }, first, after, tenantOf(principal));
    return { nodes: page.items.map((r) => PrivacyRequestType.from(r)), pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
  }

  @Authorized('profiles:read')
  @Query(() => PrivacyRequestType, { nullable: true, description: 'One privacy request, or null. Needs `profiles:read`.' })
  async privacyRequest(@Ctx() { principal }: GraphqlContext, @Arg('id', () => ID) id: string): Promise<PrivacyRequestType | null> {
    const found = await this.requests.get(id, tenantOf(principal));
    return found ? PrivacyRequestType.from(found) : null;
  }

  @Authorized()
  @Mutation(() => ApprovePrivacyRequestPayload, {
    description:
      'Approves a request waiting for review: a deletion starts its erasure (the request completes when the erasure does), anything else completes with the note. Needs `profiles:delete` for a deletion, `profiles:write` otherwise. A request not waiting for review is PRIVACY_REQUEST_NOT_PENDING.',
  })
  async approvePrivacyRequest(
    @Ctx() { principal }: GraphqlContext,
    @Arg('id', () => ID) id: string,
    @Arg('note', () => String, { nullable: true, description: 'What was decided, shown to the person; at most 500 characters.' }) note: string | null,
  ): Promise<ApprovePrivacyRequestPayload> {
    const tenant = tenantOf(principal);
    await this.requireDecisionScope(principal, id, tenant);
    return { privacyRequest: PrivacyRequestType.from(await this.requests.approve(id, note, tenant)) };
  }

  @Authorized()
  @Mutation(() => DeclinePrivacyRequestPayload, {
    description:
      'Declines a request waiting for review, with the reason shown to the person (1-500 characters). Needs `profiles:delete` for a deletion, `profiles:write` otherwise.',
  })
  async declinePrivacyRequest(
    @Ctx() { principal }: GraphqlContext,
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String, { description: 'Why, shown to the person; 1-500 characters.' }) reason: string,
  ): Promise<DeclinePrivacyRequestPayload> {
    const tenant = tenantOf(principal);
    await this.requireDecisionScope(principal, id, tenant);
    return { privacyRequest: PrivacyRequestType.from(await this.requests.decline(id, reason, tenant)) };
  }

  /**
   * Deciding a DELETION needs `profiles:delete`, any other request `profiles:write`. The scope
   * depends on the kind, so the request is read first; a caller holding neither scope reads nothing.
   */
  private async requireDecisionScope(principal: GraphqlContext['principal'], id: string, tenant: Tenant): Promise<void> {
    if (missingScopes(principal, ['profiles:write']).length > 0 && missingScopes(principal, ['profiles:delete']).length > 0) requireScopes(principal, ['profiles:write']);
    const found = await this.requests.get(id, tenant);
    if (!found) throw new NotFoundError('privacy request', id);
    requireScopes(principal, [found.kind === PrivacyRequestKind.DELETION ? 'profiles:delete' : 'profiles:write']);
  }
}
