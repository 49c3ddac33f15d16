import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Region } from '../customers';
import { GraphqlContext } from '../graphql/context';
import { actorOf } from '../graphql/http';
import { OPERATOR_ONLY } from '../operators';
import { checkPageSize } from '../shared/pagination';
import { RegionMoveService } from './region-move.service';
import { RegionMoveType } from './region-move.type';

@Resolver(() => RegionMoveType)
export class RegionMoveResolver {
  constructor(private readonly moves: RegionMoveService) {}

  @Authorized(OPERATOR_ONLY)
  @Mutation(() => RegionMoveType, {
    description:
      'Moves a customer\'s data to another region: copy, verify counts, checksums and the audit chain, switch the directory, erase the source. Starts it and answers at once; follow it with customerRegionMove. Asked again for a customer with an unfinished move, resumes that move. Platform owners only; the deployment must serve both regions.',
  })
  async moveCustomerRegion(@Ctx() { principal }: GraphqlContext, @Arg('customerId', () => ID) customerId: string, @Arg('region', () => Region) region: Region): Promise<RegionMoveType> {
    return RegionMoveType.from(await this.moves.start(customerId, region, actorOf(principal).id));
  }

  @Authorized(OPERATOR_ONLY)
  @Query(() => RegionMoveType, { nullable: true, description: 'One region move with its progress. Platform owners only.' })
  async customerRegionMove(@Arg('id', () => ID) id: string): Promise<RegionMoveType | null> {
    const move = await this.moves.get(id);
    return move ? RegionMoveType.from(move) : null;
  }

  @Authorized(OPERATOR_ONLY)
  @Query(() => [RegionMoveType], { description: 'Region moves, newest first: one customer\'s, or every one. Platform owners only.' })
  async customerRegionMoves(
    @Arg('customerId', () => ID, { nullable: true }) customerId: string | null,
    @Arg('first', () => Int, { defaultValue: 20, description: 'How many, 1-100.' }) first: number,
  ): Promise<RegionMoveType[]> {
    checkPageSize(first);
    return (await this.moves.list(customerId ?? null, first)).map(RegionMoveType.from);
  }
}
