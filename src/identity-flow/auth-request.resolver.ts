import { Arg, Authorized, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import { GraphqlContext, tenantOf } from '../graphql/context';
import { AuthRequestQueries } from './auth-request.query';
import { AuthRequestConnection, AuthRequestFilterInput, AuthRequestType } from './auth-request.type';

@Resolver(() => AuthRequestType)
export class AuthRequestResolver {
  constructor(private readonly queries: AuthRequestQueries) {}

  @Authorized('requests:read')
  @Query(() => AuthRequestConnection, { description: 'Authentication requests, newest first, cursor-paginated. Needs `requests:read`.' })
  async authRequests(
    @Ctx() { principal }: GraphqlContext,
    @Arg('filter', () => AuthRequestFilterInput, { nullable: true }) filter: AuthRequestFilterInput | null,
    @Arg('first', () => Int, { defaultValue: 20, description: 'Page size, 1-100.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor from a previous page.' }) after: string | null,
  ): Promise<AuthRequestConnection> {
    const page = await this.queries.list(filter ?? {}, first, after, tenantOf(principal));
    return { nodes: page.items.map(AuthRequestType.from), pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
  }

  @Authorized('requests:read')
  @Query(() => AuthRequestType, { nullable: true, description: 'One authentication request with its timeline. Needs `requests:read`.' })
  async authRequest(@Ctx() { principal }: GraphqlContext, @Arg('id', () => ID) id: string): Promise<AuthRequestType | null> {
    const found = await this.queries.get(id, tenantOf(principal));
    return found ? AuthRequestType.from(found) : null;
  }
}
