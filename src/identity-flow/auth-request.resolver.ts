import { withheldFrom } from '../shared/pagination';
import { Arg, Authorized, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import { GraphqlContext, tenantOf } from '../graphql/context';
import { requireScopes } from '../graphql/auth-checker';
import { REQUESTS_PERSONAL } from '../oauth';
import { disclosureOf, personKey, type RestrictionLookup } from '../profiles';
import { AuthRequestQueries, AuthRequestWithTimeline } from './auth-request.query';
import { AuthRequestConnection, AuthRequestFilterInput, AuthRequestType } from './auth-request.type';

@Resolver(() => AuthRequestType)
export class AuthRequestResolver {
  constructor(
    private readonly queries: AuthRequestQueries,
    private readonly restrictions: RestrictionLookup,
  ) {}

  @Authorized('requests:read')
  @Query(() => AuthRequestConnection, {
    description: 'Authentication requests, newest first, cursor-paginated. Needs `requests:read` (and `requests.personal` for who and where, and to filter by them).',
  })
  async authRequests(
    @Ctx() { principal }: GraphqlContext,
    @Arg('filter', () => AuthRequestFilterInput, { nullable: true }) filter: AuthRequestFilterInput | null,
    @Arg('first', () => Int, { defaultValue: 20, description: 'Page size, 1-100.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor from a previous page.' }) after: string | null,
  ): Promise<AuthRequestConnection> {
    // Filtering by user or site would tell who signed in where to a caller that may not read it.
    if (filter?.username || filter?.realm) requireScopes(principal, [REQUESTS_PERSONAL]);
    const page = await this.queries.list(filter ?? {}, first, after, tenantOf(principal));
    const shown = await this.shown(page.items);
    // Asking for a restricted person's sign-ins by name would count and date them: their rows, and
    // the page info they would set, are left out.
    const kept = filter?.username ? withheldFrom(page, (item) => shown(item).activity, (item) => item.request) : page;
    return { nodes: kept.items.map((item) => AuthRequestType.from(item, shown(item))), pageInfo: { hasNextPage: kept.hasNextPage, endCursor: kept.endCursor } };
  }

  @Authorized('requests:read')
  @Query(() => AuthRequestType, { nullable: true, description: 'One authentication request with its timeline. Needs `requests:read` (and `requests.personal` for who and where).' })
  async authRequest(@Ctx() { principal }: GraphqlContext, @Arg('id', () => ID) id: string): Promise<AuthRequestType | null> {
    const found = await this.queries.get(id, tenantOf(principal));
    if (!found) return null;
    return AuthRequestType.from(found, (await this.shown([found]))(found));
  }

  /** The disclosure rule for each request's user, with one restriction lookup for the whole page. */
  private async shown(items: readonly AuthRequestWithTimeline[]) {
    const people = items.filter((i) => i.username !== null).map((i) => ({ customerId: i.request.customer.id, username: i.username! }));
    const restricted = await this.restrictions.restrictedAmong(people);
    return ({ request, username }: AuthRequestWithTimeline) =>
      disclosureOf({ isRestricted: username !== null && restricted.has(personKey({ customerId: request.customer.id, username })) }, 'read');
  }
}
