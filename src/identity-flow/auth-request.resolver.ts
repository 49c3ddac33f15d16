import { Arg, ID, Int, Query, Resolver } from 'type-graphql';
import { AuthRequestQueries } from './auth-request.query';
import { AuthRequestConnection, AuthRequestFilterInput, AuthRequestType } from './auth-request.type';

@Resolver(() => AuthRequestType)
export class AuthRequestResolver {
  constructor(private readonly queries: AuthRequestQueries) {}

  @Query(() => AuthRequestConnection, { description: 'Authentication requests, newest first, cursor-paginated.' })
  async authRequests(
    @Arg('filter', () => AuthRequestFilterInput, { nullable: true }) filter: AuthRequestFilterInput | null,
    @Arg('first', () => Int, { defaultValue: 20, description: 'Page size, 1-100.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor from a previous page.' }) after: string | null,
  ): Promise<AuthRequestConnection> {
    const page = await this.queries.list(filter ?? {}, first, after);
    return { nodes: page.items.map(AuthRequestType.from), pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
  }

  @Query(() => AuthRequestType, { nullable: true, description: 'One authentication request with its timeline.' })
  async authRequest(@Arg('id', () => ID) id: string): Promise<AuthRequestType | null> {
    const found = await this.queries.get(id);
    return found ? AuthRequestType.from(found) : null;
  }
}
